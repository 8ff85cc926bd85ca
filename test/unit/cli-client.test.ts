import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  createVolumesClient,
  EndpointUnreachableError,
  executeApiRegion,
  InsecureEndpointError,
  ProblemError,
} from '../../client/index.ts';
import { sigV4Fetch } from '../../client/sigv4-fetch.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const API = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';
const minimal = { clusterName: 'demo', namespace: 'team-a', name: 'data' };

/** A fetch that records each request and answers with `answer`. */
function recorder(answer: () => Response = () => Response.json({ items: [] })) {
  const requests: Request[] = [];
  const bodies: string[] = [];
  return {
    requests,
    bodies,
    fetch: async (request: Request) => {
      requests.push(request);
      bodies.push(await request.clone().text());
      return answer();
    },
  };
}

/** Credentials that count how often they are read: signing reads them. */
function countedCredentials() {
  const read = { count: 0 };
  return {
    read,
    provider: async () => {
      read.count += 1;
      return credentials;
    },
  };
}

/** The signature API Gateway would expect for what was sent, computed independently. */
async function expectedAuthorization(request: Request, body: string, region: string) {
  const url = new URL(request.url);
  const headers: Record<string, string> = { host: url.host };
  request.headers.forEach((value, name) => {
    if (name !== 'authorization') headers[name] = value;
  });
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const amzDate = request.headers.get('x-amz-date') ?? '';
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(body ? { body } : {}),
    }),
    { signingDate },
  );
  return signed.headers.authorization;
}

describe('createVolumesClient', () => {
  it('signs requests to an execute-api host with SigV4 for its region, stage path and body included', async () => {
    // Prepare
    const sent = recorder(() => Response.json({ id: 'vol-1' }, { status: 202 }));
    const client = createVolumesClient({ endpoint: API, credentials, fetch: sent.fetch });

    // Act
    await client.createVolume(minimal, { idempotencyKey: 'key-1' });

    // Assess
    const [request] = sent.requests;
    const authorization = request?.headers.get('authorization') ?? '';
    expect(client.signed).toBe(true);
    expect(request?.url).toBe(`${API}/volumes`);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*idempotency-key[^,]*x-amz-date/,
    );
    expect(authorization).toBe(
      await expectedAuthorization(request as Request, sent.bodies[0] ?? '', 'eu-west-1'),
    );
    expect(JSON.parse(sent.bodies[0] ?? '')).toEqual({ ...minimal, dryRun: false });
  });

  it('signs the query string, so a filtered list is not refused', async () => {
    // Prepare
    const sent = recorder();
    const client = createVolumesClient({ endpoint: API, credentials, fetch: sent.fetch });

    // Act
    await client.listVolumes({ clusterName: 'demo', status: 'READY' });

    // Assess
    const [request] = sent.requests;
    expect(new URL(request?.url ?? '').search).toBe('?clusterName=demo&status=READY');
    expect(request?.headers.get('authorization')).toBe(
      await expectedAuthorization(request as Request, '', 'eu-west-1'),
    );
  });

  it('sends requests to local mode (loopback) unsigned', async () => {
    // Prepare
    const sent = recorder();
    const client = createVolumesClient({
      endpoint: 'http://127.0.0.1:3000',
      credentials,
      fetch: sent.fetch,
    });

    // Act
    await client.listVolumes();

    // Assess
    expect(client.signed).toBe(false);
    expect(sent.requests[0]?.headers.get('authorization')).toBeNull();
  });

  it('signs for a custom domain when told to, with the region given or AWS_REGION', async () => {
    // Prepare
    const sent = recorder();
    const given = createVolumesClient({
      endpoint: 'https://volumes.example.internal',
      signing: 'sigv4',
      region: 'ap-southeast-2',
      credentials,
      fetch: sent.fetch,
    });
    const fromEnvironment = createVolumesClient({
      endpoint: 'https://volumes.example.internal',
      signing: 'sigv4',
      credentials,
      fetch: sent.fetch,
    });

    // Act
    await given.listVolumes();
    await fromEnvironment.listVolumes();

    // Assess
    expect(sent.requests[0]?.headers.get('authorization')).toContain(
      '/ap-southeast-2/execute-api/',
    );
    expect(sent.requests[1]?.headers.get('authorization')).toContain(
      `/${process.env.AWS_REGION}/execute-api/`,
    );
  });

  it('reads the region of API Gateway hosts, private (vpce) ones and China included', () => {
    // Act
    const regions = [
      'https://abc.execute-api.us-east-1.amazonaws.com/prod',
      'https://abc-vpce-0123.execute-api.eu-central-1.vpce.amazonaws.com/prod',
      'https://abc.execute-api.cn-north-1.amazonaws.com.cn/prod',
      'https://execute-api.example.com',
    ].map((url) => executeApiRegion(new URL(url)));

    // Assess
    expect(regions).toEqual(['us-east-1', 'eu-central-1', 'cn-north-1', undefined]);
  });

  it('throws the problem+json of a refusal as a ProblemError, field errors and all', async () => {
    // Prepare
    const problem = {
      type: 'https://efs-volumes.dev/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'The request body is not a valid volume request',
      errors: [{ field: 'namespace', message: 'must match pattern' }],
    };
    const sent = recorder(() =>
      Response.json(problem, {
        status: 400,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    const client = createVolumesClient({ endpoint: 'http://localhost:3000', fetch: sent.fetch });

    // Act
    const error = await client.createVolume({ ...minimal, namespace: 'Team-A' }).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ ...problem, message: `${problem.title}: ${problem.detail}` });
    expect(error.toJSON()).toEqual(problem);
  });

  it('turns an answer that is not problem+json into a ProblemError with its status and text', async () => {
    // Prepare
    const sent = recorder(
      () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const client = createVolumesClient({ endpoint: 'http://localhost:3000', fetch: sent.fetch });

    // Act
    const error = await client.getVolume('vol-0123456789abcdef0123').catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({
      status: 502,
      title: 'Bad Gateway',
      detail: '<html>Bad Gateway</html>',
    });
  });

  it('says which endpoint did not answer, and why', async () => {
    // Prepare
    const client = createVolumesClient({
      endpoint: 'http://127.0.0.1:3999',
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3999'), {
            code: 'ECONNREFUSED',
          }),
        });
      },
    });

    // Act
    const error = await client.listVolumes().catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(EndpointUnreachableError);
    expect(error).toMatchObject({ endpoint: 'http://127.0.0.1:3999', code: 'ECONNREFUSED' });
  });

  it('follows nextToken through every page', async () => {
    // Prepare
    const pages = [{ items: [{ id: 'vol-a' }], nextToken: 'page2' }, { items: [{ id: 'vol-b' }] }];
    const sent = recorder(() => Response.json(pages.shift()));
    const client = createVolumesClient({ endpoint: 'http://localhost:3000', fetch: sent.fetch });

    // Act
    const ids: string[] = [];
    for await (const volume of client.allVolumes({ namespace: 'team-a' })) ids.push(volume.id);

    // Assess
    expect(ids).toEqual(['vol-a', 'vol-b']);
    expect(sent.requests.map((request) => new URL(request.url).search)).toEqual([
      '?namespace=team-a',
      '?namespace=team-a&nextToken=page2',
    ]);
  });

  it.each([
    ['an execute-api host', 'http://abc123defg.execute-api.eu-west-1.amazonaws.com/prod', 'auto'],
    ['a custom domain, signed', 'http://volumes.example.com', 'sigv4'],
    ['a custom domain, unsigned', 'http://volumes.example.com', 'none'],
    ['a private address', 'http://10.0.0.5:3000', 'auto'],
  ] as const)(
    'refuses plain http to %s before any request, without reading credentials',
    async (_kind, endpoint, signing) => {
      // Prepare
      const sent = recorder();
      const counted = countedCredentials();

      // Act
      const error = (() => {
        try {
          return createVolumesClient({
            endpoint,
            signing,
            region: 'eu-west-1',
            credentials: counted.provider,
            fetch: sent.fetch,
          });
        } catch (thrown) {
          return thrown;
        }
      })();

      // Assess
      expect(error).toBeInstanceOf(InsecureEndpointError);
      expect(error).toMatchObject({
        name: 'InsecureEndpointError',
        endpoint,
        message: expect.stringContaining(`use ${endpoint.replace('http://', 'https://')}`),
      });
      expect(sent.requests).toEqual([]);
      expect(counted.read.count).toBe(0);
    },
  );

  it('refuses to sign over plain http, even to local mode on loopback', () => {
    // Prepare
    const counted = countedCredentials();

    // Act
    const create = () =>
      createVolumesClient({
        endpoint: 'http://127.0.0.1:3000',
        signing: 'sigv4',
        region: 'eu-west-1',
        credentials: counted.provider,
      });

    // Assess
    expect(create).toThrow(InsecureEndpointError);
    expect(create).toThrow('refusing to sign requests to http://127.0.0.1:3000 over plain http://');
    expect(counted.read.count).toBe(0);
  });

  it('refuses an endpoint that is neither http nor https', () => {
    // Act
    const create = () => createVolumesClient({ endpoint: 'ftp://127.0.0.1/volumes' });

    // Assess
    expect(create).toThrow(InsecureEndpointError);
    expect(create).toThrow('refusing ftp://127.0.0.1/volumes: the endpoint must be https://');
  });
});

describe('sigV4Fetch', () => {
  it('refuses a request over plain http without signing or sending it', async () => {
    // Prepare
    const sent = recorder();
    const counted = countedCredentials();
    const signedFetch = sigV4Fetch({
      region: 'eu-west-1',
      credentials: counted.provider,
      fetch: sent.fetch,
    });

    // Act
    const error = await signedFetch(new Request('http://127.0.0.1:3000/volumes')).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(InsecureEndpointError);
    expect(sent.requests).toEqual([]);
    expect(counted.read.count).toBe(0);
  });

  it('sends a signed request that will not follow a redirect, so its headers go nowhere else', async () => {
    // Prepare
    const sent = recorder();
    const signedFetch = sigV4Fetch({ region: 'eu-west-1', credentials, fetch: sent.fetch });

    // Act
    await signedFetch(new Request(`${API}/volumes`));

    // Assess
    expect(sent.requests[0]?.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(sent.requests[0]?.redirect).toBe('error');
  });
});
