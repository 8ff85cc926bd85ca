import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEksToken, EKS_TOKEN_PREFIX } from '../../functions/lib/kube/eks-token.ts';
import {
  type KubeEmulator,
  type KubeRequestLog,
  startKubeEmulator,
} from '../../local/kube-emulator/index.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const CLUSTER = 'auth-cluster';

let emulator: KubeEmulator;
let bait: Server;
let baitRequests = 0;
const logged: KubeRequestLog[] = [];

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

function get(path: string, authorization?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request(
      `${emulator.endpoint}${path}`,
      { ca: emulator.caPem, headers: authorization ? { Authorization: authorization } : {} },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            text,
          }),
        );
      },
    );
    call.on('error', reject);
    call.end();
  });
}

function tokenOf(url: string): string {
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

function urlOf(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

/** A correctly signed presigned GetCallerIdentity URL, but for a host of the client's choosing. */
async function tokenForHost(host: string): Promise<string> {
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, 'x-k8s-aws-id': CLUSTER },
    }),
    { expiresIn: 60 },
  );
  return tokenOf(
    `https://${host}/?${new URLSearchParams(signed.query as Record<string, string>).toString()}`,
  );
}

function token(overrides: { clusterName?: string; accessKeyId?: string; signingDate?: Date } = {}) {
  return buildEksToken({
    clusterName: overrides.clusterName ?? CLUSTER,
    region: 'us-east-1',
    credentials: {
      ...credentials,
      ...(overrides.accessKeyId ? { accessKeyId: overrides.accessKeyId } : {}),
    },
    ...(overrides.signingDate ? { signingDate: overrides.signingDate } : {}),
  });
}

beforeAll(async () => {
  bait = createServer((_request, response) => {
    baitRequests += 1;
    response.end(
      '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:root</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>',
    );
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  emulator = await startKubeEmulator({
    clusterName: CLUSTER,
    stsEndpoint: process.env.AWS_ENDPOINT_URL ?? '',
    credentials: [credentials],
    log: (entry) => logged.push(entry),
  });
});

afterAll(async () => {
  await emulator?.stop();
  await new Promise((resolve) => bait?.close(resolve));
});

describe('the Kubernetes emulator authentication', () => {
  it('serves a request with a valid EKS token as the caller STS names', async () => {
    const answer = await get('/api/v1/namespaces', `Bearer ${await token()}`);

    expect(answer.status).toBe(200);
    expect(answer.body.kind).toBe('NamespaceList');
    expect(logged.at(-1)).toMatchObject({ status: 200, user: expect.stringMatching(/^arn:aws:/) });
  });

  it('refuses every request without a valid token with a 401 Status, discovery included', async () => {
    const valid = await token();
    const withExtraParameter = urlOf(valid);
    withExtraParameter.searchParams.append('X-Amz-Extra', 'x');
    const refusals: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['garbage', 'Bearer garbage'],
      ['wrong prefix', `Bearer k8s-aws-v2.${valid.slice(EKS_TOKEN_PREFIX.length)}`],
      ['oversized', `Bearer ${valid}${'A'.repeat(5000)}`],
      ['expired', `Bearer ${await token({ signingDate: new Date(Date.now() - 20 * 60_000) })}`],
      ["another cluster's", `Bearer ${await token({ clusterName: 'other-cluster' })}`],
      ['unknown access key', `Bearer ${await token({ accessKeyId: 'AKIAUNKNOWN' })}`],
      ['non-STS host', `Bearer ${await tokenForHost('evil.example.com')}`],
      ['extra query parameter', `Bearer ${tokenOf(withExtraParameter.toString())}`],
    ];

    for (const [name, authorization] of refusals) {
      const answer = await get('/version', authorization);
      expect(answer.status, name).toBe(401);
      expect(answer.body, name).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
      expect(answer.text, name).not.toContain(authorization?.slice(7, 40) ?? 'never');
    }
  });

  it('never contacts a host named in the token', async () => {
    const baitHost = `127.0.0.1:${(bait.address() as AddressInfo).port}`;
    const signedForBait = await tokenForHost(baitHost);
    const plainHttp = tokenOf(
      urlOf(await token())
        .toString()
        .replace('https://sts.us-east-1.amazonaws.com', `http://${baitHost}`),
    );

    const answers = [
      await get('/api', `Bearer ${signedForBait}`),
      await get('/api', `Bearer ${plainHttp}`),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
    expect(baitRequests).toBe(0);
  });
});
