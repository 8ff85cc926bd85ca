// An HTTP proxy on loopback between the SDK clients and moto that answers some calls the way a
// struggling AWS would: throttling, 5xx, added latency, dropped connections, and a response lost
// after the call took effect. Local mode selects it with `startLocalStack({ awsFaults })`; the
// fault tests use it to check that retries and idempotency tokens hold.
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as forwardRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seeded-random.ts';

export const FAULT_KINDS = [
  'throttling',
  'internal-error',
  'service-unavailable',
  'latency',
  'connection-reset',
  'response-lost',
] as const;

/**
 * - `throttling`: the service's throttling error (JSON: 400 ThrottlingException; EC2: 503
 *   RequestLimitExceeded; query: 400 Throttling), not forwarded
 * - `internal-error` / `service-unavailable`: 500 / 503 in the protocol's error shape, not forwarded
 * - `latency`: forwarded after a delay (adds to whichever other fault fires)
 * - `connection-reset`: the socket is destroyed before the call reaches the service
 * - `response-lost`: forwarded, the service acts, then the socket is destroyed before answering
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One kind of fault and the calls it applies to. Every condition given must hold. */
export interface FaultRule {
  readonly kind: FaultKind;
  /** The signing name of the credential scope: `ec2`, `elasticfilesystem`, `dynamodb`, `states`. @default any */
  readonly service?: string;
  /**
   * `PutItem` (the `X-Amz-Target` of JSON protocols), `CreateSecurityGroup` (the `Action` of
   * query protocols) or `POST /2015-02-01/file-systems` (method and path of REST protocols);
   * a trailing `*` matches any suffix. @default any
   */
  readonly operation?: string;
  /** The share of matching calls that fail, drawn from the seeded generator. @default 1 */
  readonly rate?: number;
  /** Only these matching calls (1 for the first call this rule matches). @default every call */
  readonly calls?: readonly number[];
  /** At most this many faults from this rule. @default no limit */
  readonly times?: number;
  /** For `latency`. @default 200 */
  readonly latencyMilliseconds?: number;
}

export interface FaultProxyOptions {
  readonly faults?: readonly FaultRule[];
  /** Seed of the generator behind `rate`: the same calls in the same order meet the same faults. @default 1 */
  readonly seed?: number;
}

export interface FaultProxyTarget {
  /** Where calls go: moto's origin. */
  readonly upstream: string;
  /** Other origins by signing name, e.g. `{ states: <local Step Functions> }`. */
  readonly upstreams?: Readonly<Record<string, string>>;
}

export interface FaultProxyStats {
  readonly requests: number;
  readonly injected: Readonly<Record<FaultKind, number>>;
  /** Faults by `<service> <operation> <kind>`. */
  readonly injectedByCall: Readonly<Record<string, number>>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  /** Replaces the rules (their call counts start again); the statistics carry on. */
  setFaults(faults: readonly FaultRule[]): void;
  clear(): void;
  stats(): FaultProxyStats;
  stop(): Promise<void>;
}

export type AwsProtocol = 'json' | 'rest-json' | 'query' | 'ec2';

/** What a request is, as the fault rules see it. */
export interface AwsCall {
  readonly service: string;
  readonly operation: string;
  readonly protocol: AwsProtocol;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** True when the operation is only known from a form body (query protocols). */
export function needsBody(headers: IncomingHttpHeaders): boolean {
  return (
    !headers['x-amz-target'] &&
    headerText(headers, 'content-type').startsWith('application/x-www-form-urlencoded')
  );
}

/**
 * Names the service (from the SigV4 credential scope, as moto does) and the operation of a
 * request. `body` is needed only when `needsBody` says so.
 */
export function identifyCall(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body?: Buffer,
): AwsCall {
  const parsed = new URL(url, 'http://proxy');
  const scope =
    SCOPE.exec(headerText(headers, 'authorization')) ??
    /^[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/.exec(
      parsed.searchParams.get('X-Amz-Credential') ?? '',
    );
  const service = scope?.[1] ?? 'unknown';
  const target = headerText(headers, 'x-amz-target');
  if (target) return { service, operation: target.split('.').pop() ?? target, protocol: 'json' };
  const action =
    (body && needsBody(headers)
      ? new URLSearchParams(body.toString('utf8')).get('Action')
      : null) ?? parsed.searchParams.get('Action');
  if (action) return { service, operation: action, protocol: service === 'ec2' ? 'ec2' : 'query' };
  return { service, operation: `${method} ${parsed.pathname}`, protocol: 'rest-json' };
}

function matches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type ErrorKind = 'throttling' | 'internal-error' | 'service-unavailable';

// Per protocol: the status, code and message each service family answers with.
const ERRORS: Record<'json' | 'ec2' | 'query', Record<ErrorKind, [number, string, string]>> = {
  json: {
    throttling: [400, 'ThrottlingException', 'Rate exceeded'],
    'internal-error': [500, 'InternalFailure', 'The request processing has failed.'],
    'service-unavailable': [503, 'ServiceUnavailable', 'Service is unavailable.'],
  },
  ec2: {
    throttling: [503, 'RequestLimitExceeded', 'Request limit exceeded.'],
    'internal-error': [500, 'InternalError', 'An internal error has occurred.'],
    'service-unavailable': [503, 'Unavailable', "The server is overloaded and can't handle it."],
  },
  query: {
    throttling: [400, 'Throttling', 'Rate exceeded'],
    'internal-error': [500, 'InternalFailure', 'The request processing has failed.'],
    'service-unavailable': [503, 'ServiceUnavailable', 'Service is unavailable.'],
  },
};

/** The error a service of that protocol answers for throttling or a 5xx. */
export function errorAnswer(
  kind: ErrorKind,
  protocol: AwsProtocol,
  requestContentType = '',
): ErrorAnswer {
  const requestId = randomUUID();
  if (protocol === 'ec2') {
    const [status, code, message] = ERRORS.ec2[kind];
    return {
      status,
      headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  if (protocol === 'query') {
    const [status, code, message] = ERRORS.query[kind];
    const type = status < 500 ? 'Sender' : 'Receiver';
    return {
      status,
      headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId },
      body: `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const [status, code, message] = ERRORS.json[kind];
  return {
    status,
    headers: {
      'Content-Type':
        protocol === 'json' && requestContentType ? requestContentType : 'application/json',
      'x-amzn-ErrorType': code,
      'x-amzn-RequestId': requestId,
    },
    body: JSON.stringify({ __type: code, message }),
  };
}

interface RuleState {
  readonly rule: FaultRule;
  matched: number;
  fired: number;
}

/** The faults a call meets: the first non-latency rule that fires, and the latency of all. */
export interface FaultDecision {
  readonly fault?: Exclude<FaultKind, 'latency'>;
  readonly delayMilliseconds: number;
}

/** Decides, call by call, which faults fire; counts what it injected. */
export class FaultPlan {
  #rules: RuleState[] = [];
  readonly #random: () => number;
  #requests = 0;
  readonly #injected = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<
    FaultKind,
    number
  >;
  readonly #injectedByCall: Record<string, number> = {};

  constructor(options: FaultProxyOptions = {}) {
    this.#random = seededRandom(options.seed ?? 1);
    this.setFaults(options.faults ?? []);
  }

  setFaults(faults: readonly FaultRule[]): void {
    this.#rules = faults.map((rule) => ({ rule, matched: 0, fired: 0 }));
  }

  decide(call: AwsCall): FaultDecision {
    this.#requests++;
    let fault: FaultDecision['fault'];
    let delayMilliseconds = 0;
    for (const state of this.#rules) {
      const { rule } = state;
      if (!matches(rule.service, call.service) || !matches(rule.operation, call.operation))
        continue;
      state.matched++;
      if (rule.kind !== 'latency' && fault) continue;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      if (rule.calls && !rule.calls.includes(state.matched)) continue;
      if (rule.rate !== undefined && this.#random() >= rule.rate) continue;
      state.fired++;
      this.#count(call, rule.kind);
      if (rule.kind === 'latency') delayMilliseconds += rule.latencyMilliseconds ?? 200;
      else fault = rule.kind;
    }
    return fault ? { fault, delayMilliseconds } : { delayMilliseconds };
  }

  #count(call: AwsCall, kind: FaultKind): void {
    this.#injected[kind]++;
    const key = `${call.service} ${call.operation} ${kind}`;
    this.#injectedByCall[key] = (this.#injectedByCall[key] ?? 0) + 1;
  }

  stats(): FaultProxyStats {
    return {
      requests: this.#requests,
      injected: { ...this.#injected },
      injectedByCall: { ...this.#injectedByCall },
    };
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const CREATE_ACCESS_POINT = 'POST /2015-02-01/access-points';

/**
 * EFS answers a repeated CreateAccessPoint ClientToken with 409 AccessPointAlreadyExists naming
 * the access point; moto 5.2 ignores the token and creates another. The SDK retries a call whose
 * answer was lost, so without this the proxy's own faults would leave duplicates EFS never would.
 */
export class AccessPointTokens {
  readonly #byToken = new Map<string, string>();

  static #json(body: Buffer): object {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      return typeof parsed === 'object' && parsed !== null ? parsed : {};
    } catch {
      return {};
    }
  }

  static #token(requestBody: Buffer): string | undefined {
    const { ClientToken } = AccessPointTokens.#json(requestBody) as { ClientToken?: unknown };
    return typeof ClientToken === 'string' ? ClientToken : undefined;
  }

  /** EFS's answer to a token already used, else undefined (forward the call). */
  answerFor(requestBody: Buffer): ErrorAnswer | undefined {
    const token = AccessPointTokens.#token(requestBody);
    const accessPointId = token ? this.#byToken.get(token) : undefined;
    if (!accessPointId) return undefined;
    return {
      status: 409,
      headers: {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'AccessPointAlreadyExists',
        'x-amzn-RequestId': randomUUID(),
      },
      body: JSON.stringify({
        ErrorCode: 'AccessPointAlreadyExists',
        Message: `An access point with ClientToken ${token} already exists.`,
        AccessPointId: accessPointId,
      }),
    };
  }

  remember(requestBody: Buffer, status: number, responseBody: Buffer): void {
    const token = AccessPointTokens.#token(requestBody);
    if (!token || status >= 300) return;
    const { AccessPointId } = AccessPointTokens.#json(responseBody) as { AccessPointId?: unknown };
    if (typeof AccessPointId === 'string') this.#byToken.set(token, AccessPointId);
  }
}

function isCreateAccessPoint(request: IncomingMessage): boolean {
  return (
    `${request.method} ${new URL(request.url ?? '/', 'http://proxy').pathname}` ===
    CREATE_ACCESS_POINT
  );
}

/**
 * Starts the proxy on a free loopback port. Request and response bodies stream through; only a
 * query protocol's form body (it names the operation) and CreateAccessPoint's (its ClientToken,
 * see AccessPointTokens) are read first.
 */
export async function startFaultProxy(
  options: FaultProxyOptions & FaultProxyTarget,
): Promise<FaultProxy> {
  const plan = new FaultPlan(options);
  const accessPoints = new AccessPointTokens();

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    call: AwsCall,
    body: Buffer | undefined,
    loseResponse: boolean,
  ): void {
    const origin = new URL(options.upstreams?.[call.service] ?? options.upstream);
    const outgoing = forwardRequest(
      {
        hostname: origin.hostname,
        port: origin.port,
        method: request.method,
        path: request.url,
        // Unchanged, Host included: the signature covers them.
        headers: request.headers,
      },
      (answer) => {
        if (body && call.operation === CREATE_ACCESS_POINT) {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.once('end', () =>
            accessPoints.remember(body, answer.statusCode ?? 0, Buffer.concat(chunks)),
          );
        }
        if (loseResponse) {
          // The service has acted; its answer never reaches the caller.
          answer.resume();
          answer.once('end', () => request.socket.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.once('error', () => request.socket.destroy());
    if (body) outgoing.end(body);
    else request.pipe(outgoing);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body =
      needsBody(request.headers) || isCreateAccessPoint(request)
        ? await readAll(request)
        : undefined;
    const call = identifyCall(request.method ?? 'GET', request.url ?? '/', request.headers, body);
    const { fault, delayMilliseconds } = plan.decide(call);
    if (delayMilliseconds > 0)
      await new Promise((resolve) => setTimeout(resolve, delayMilliseconds));
    switch (fault) {
      case 'connection-reset':
        request.socket.destroy();
        return;
      case 'throttling':
      case 'internal-error':
      case 'service-unavailable': {
        const answer = errorAnswer(
          fault,
          call.protocol,
          headerText(request.headers, 'content-type'),
        );
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
        return;
      }
      default: {
        const replayed =
          body && call.operation === CREATE_ACCESS_POINT ? accessPoints.answerFor(body) : undefined;
        if (!replayed) return forward(request, response, call, body, fault === 'response-lost');
        if (fault === 'response-lost') return void request.socket.destroy();
        response.writeHead(replayed.status, replayed.headers);
        response.end(replayed.body);
      }
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setFaults: (faults) => plan.setFaults(faults),
    clear: () => plan.setFaults([]),
    stats: () => plan.stats(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
