// The local stand-in for API Gateway: turns HTTP requests into REST API proxy events for the
// functions the stack deploys (run by local/lambda), routed by openapi.yaml's paths.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
} from 'aws-lambda';
import { openapiDocument } from '../functions/generated/openapi-schemas.ts';
import { problemResponse } from '../functions/lib/http/http.ts';
import { ProblemError, problems } from '../functions/lib/problems/problem.ts';
import { API_OPERATIONS } from '../infra/api-operations.ts';
import { LOCAL_ACCOUNT } from './credentials.ts';
import { localFunctions } from './lambda/local-functions.ts';

/**
 * The caller the local server reports when a request names none: a role session, as a
 * platform engineer's `aws sso login` or a CI job's role gives API Gateway.
 */
export const LOCAL_CALLER = `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/local-developer/local-session`;
/** API Gateway refuses bodies over 10 MB; locally, 1 MiB is plenty to let the handler say 413. */
const MAX_BODY = 1024 * 1024;

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly parameters: string[];
  readonly methods: Record<string, string>;
}

const routes: Route[] = Object.entries(
  openapiDocument.paths as Record<string, Record<string, unknown>>,
).map(([template, item]) => {
  const parameters: string[] = [];
  const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    parameters.push(name);
    return '([^/]+)';
  });
  const methods: Record<string, string> = {};
  for (const [method, operation] of Object.entries(item)) {
    const operationId = (operation as { operationId?: string }).operationId;
    if (operationId) methods[method.toUpperCase()] = operationId;
  }
  return { template, pattern: new RegExp(`^${source}$`), parameters, methods };
});

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY) throw problems.payloadTooLarge(MAX_BODY);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function proxyEvent(
  request: IncomingMessage,
  url: URL,
  route: Route,
  match: RegExpMatchArray,
  body: Buffer,
) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(',');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const pathParameters = Object.fromEntries(
    route.parameters.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
  );
  const caller = headers['x-local-caller'] ?? LOCAL_CALLER;
  const requestId = randomUUID();
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    resource: route.template,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: route.parameters.length > 0 ? pathParameters : null,
    stageVariables: null,
    body: body.byteLength > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      requestId,
      resourcePath: route.template,
      httpMethod: request.method ?? 'GET',
      path: url.pathname,
      stage: 'local',
      identity: iamIdentity(caller, sourceIp, headers['user-agent'] ?? null),
    },
  } as unknown as APIGatewayProxyEvent;
}

/** An IAM principal's stable unique id, as IAM gives one (`AROA…` for roles, `AIDA…` for users). */
function uniqueIdOf(prefix: string, arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...digest.subarray(0, 17)].map((byte) => alphabet[byte % 32]).join('');
}

/**
 * `requestContext.identity` as API Gateway fills it for a SigV4 (AWS_IAM) caller: the session
 * ARN for an assumed role, with `caller`/`user` as `<role id>:<session>`; an IAM user's id;
 * the account for root.
 */
export function iamIdentity(
  callerArn: string,
  sourceIp: string,
  userAgent: string | null,
): APIGatewayEventIdentity {
  const account = /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(callerArn)?.[1] ?? LOCAL_ACCOUNT;
  const assumed = /:assumed-role\/([^/]+)\/(.+)$/.exec(callerArn);
  const federated = /:federated-user\/(.+)$/.exec(callerArn);
  const principalId = assumed
    ? `${uniqueIdOf('AROA', `role/${assumed[1]}`)}:${assumed[2]}`
    : federated
      ? `${account}:${federated[1]}`
      : callerArn.endsWith(':root')
        ? account
        : uniqueIdOf('AIDA', callerArn);
  return {
    accessKey: uniqueIdOf(assumed || federated ? 'ASIA' : 'AKIA', callerArn).slice(0, 20),
    accountId: account,
    apiKey: null,
    apiKeyId: null,
    caller: principalId,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: principalId,
    userAgent,
    userArn: callerArn,
  };
}

/** `POST /local/events`: an EventBridge event (or a PutEvents entry) for the request handler. */
async function localEvent(body: Buffer): Promise<APIGatewayProxyResult> {
  const parseJson = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw problems.malformedJson(`${what} is not JSON`);
    }
  };
  const parsed = parseJson(body.toString('utf8'), 'the body');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw problems.invalidRequest(
      'the body must be an EventBridge event or a PutEvents entry (a JSON object)',
    );
  }
  const fields = parsed as Record<string, unknown>;
  // As EventBridge delivers it: a PutEvents entry becomes an event with its Detail parsed.
  const event =
    'Source' in fields
      ? {
          id: randomUUID(),
          source: String(fields.Source),
          'detail-type': String(fields.DetailType),
          // EventBridge names the account that called PutEvents: locally, the developer's.
          account: LOCAL_ACCOUNT,
          time: new Date().toISOString(),
          detail:
            typeof fields.Detail === 'string' ? parseJson(fields.Detail, 'Detail') : fields.Detail,
        }
      : { id: randomUUID(), ...fields };
  const outcome = await localFunctions().invoke('ProvisionRequested', event);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(outcome),
  };
}

async function route(request: IncomingMessage): Promise<APIGatewayProxyResult> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const body = await readBody(request);
  if (url.pathname === '/local/events' && request.method === 'POST') return localEvent(body);
  for (const candidate of routes) {
    const match = url.pathname.match(candidate.pattern);
    if (!match) continue;
    const operationId = candidate.methods[request.method ?? 'GET'];
    if (!operationId)
      throw problems.methodNotAllowed(request.method ?? '', Object.keys(candidate.methods));
    if (!API_OPERATIONS[operationId]) throw new Error(`no handler for ${operationId}`);
    const event = proxyEvent(request, url, candidate, match, body);
    return (await localFunctions().invoke(operationId, event)) as APIGatewayProxyResult;
  }
  throw problems.routeNotFound(url.pathname);
}

export interface LocalApi {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalApi(port = 0): Promise<LocalApi> {
  const server: Server = createServer((request, response) => {
    route(request)
      .catch((error: unknown) =>
        problemResponse(error instanceof ProblemError ? error : problems.internal(), request.url),
      )
      .then((result) => {
        response.writeHead(result.statusCode, result.headers as Record<string, string>);
        response.end(result.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
