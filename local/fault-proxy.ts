// An HTTP proxy on loopback between the SDK clients and moto that answers some calls the way a
// struggling AWS would: throttling, 5xx, added latency, dropped connections, and a response lost
// after the call took effect. With `model`, it is also the AWS behaviour layer
// (local/aws-model/): lifecycles with durations, limits, eventual consistency and rate limits.
// Local mode selects it with `startLocalStack({ awsFaults, awsModel })`; the fault tests use it
// to check that retries and idempotency tokens hold.
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
import { describeAwsCall } from './aws-calls/describe-call.ts';
import {
  type AwsCall,
  type AwsProtocol,
  type DeclaredError,
  declaredErrorAnswer,
  type ErrorAnswer,
  efsErrorAnswer,
  errorAnswer,
} from './aws-model/answers.ts';
import { AwsModel, type AwsModelOptions, type ModelAnswer } from './aws-model/model.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './credentials.ts';
import { endToEndHeaders } from './hop-by-hop.ts';
import { seededRandom } from './seeded-random.ts';

export type { AwsCall, AwsProtocol, DeclaredError, ErrorAnswer };
export { errorAnswer };

export const FAULT_KINDS = [
  'throttling',
  'internal-error',
  'service-unavailable',
  'latency',
  'connection-reset',
  'response-lost',
  'declared-error',
] as const;

/**
 * - `throttling`: the service's throttling error (JSON: 400 ThrottlingException; EC2: 503
 *   RequestLimitExceeded; query: 400 Throttling), not forwarded
 * - `internal-error` / `service-unavailable`: 500 / 503 in the protocol's error shape, not forwarded
 * - `latency`: forwarded after a delay (adds to whichever other fault fires)
 * - `connection-reset`: the socket is destroyed before the call reaches the service
 * - `response-lost`: forwarded, the service acts, then the socket is destroyed before answering
 * - `declared-error`: the rule's `error` (one the service declares for the operation: the AWS
 *   oracle's entries), in the protocol's error shape, not forwarded
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
  /**
   * The operation as the AWS oracle (functions/lib/aws/oracle.generated.ts) keys it, its IAM
   * prefix and API name, read off the request by local/aws-calls/describe-call.ts:
   * `elasticfilesystem:DescribeFileSystemPolicy`, `dynamodb:TransactWriteItems` (whose items
   * IAM authorizes as PutItem and the like); a trailing `*` matches any suffix. Naming it makes
   * the proxy read every request's body. @default any
   */
  readonly awsOperation?: string;
  /** The share of matching calls that fail, drawn from the seeded generator. @default 1 */
  readonly rate?: number;
  /** Only these matching calls (1 for the first call this rule matches). @default every call */
  readonly calls?: readonly number[];
  /** At most this many faults from this rule. @default no limit */
  readonly times?: number;
  /** For `latency`. @default 200 */
  readonly latencyMilliseconds?: number;
  /** For `declared-error`: the error answered. */
  readonly error?: DeclaredError;
}

export interface FaultProxyOptions {
  readonly faults?: readonly FaultRule[];
  /** Seed of the generator behind `rate`: the same calls in the same order meet the same faults. @default 1 */
  readonly seed?: number;
  /** Told of every call, before any fault: with its awsOperation when a rule names one. */
  readonly onCall?: (call: MatchedCall) => void;
}

export interface FaultProxyTarget {
  /** Put the AWS model (local/aws-model/model.ts) behind the faults. */
  readonly model?: AwsModelOptions;
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
  /** Faults by `<awsOperation> <kind>`, for the calls it was read of (a rule names one). */
  readonly injectedByOperation: Readonly<Record<string, number>>;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  /** Replaces the rules (their call counts start again); the statistics carry on. */
  setFaults(faults: readonly FaultRule[]): void;
  clear(): void;
  stats(): FaultProxyStats;
  /** The AWS model, when `model` was given. */
  readonly model?: AwsModel;
  stop(): Promise<void>;
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

/** A call as the rules match it: with its awsOperation when a rule asks for one. */
export type MatchedCall = AwsCall & { readonly awsOperation?: string };

/** A request's operation as the AWS oracle keys it (`<IAM prefix>:<API operation>`), if known. */
export function awsOperationOf(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): string | undefined {
  try {
    const description = describeAwsCall(
      { method, path: url, headers, body: body.toString('utf8') },
      { accountId: LOCAL_ACCOUNT, region: LOCAL_REGION },
    )[0];
    return description && `${description.service}:${description.operation}`;
  } catch {
    return undefined;
  }
}

interface RuleState {
  readonly rule: FaultRule;
  matched: number;
  fired: number;
}

/** The faults a call meets: the first non-latency rule that fires, and the latency of all. */
export interface FaultDecision {
  readonly fault?: Exclude<FaultKind, 'latency'>;
  /** The error a `declared-error` fault answers. */
  readonly error?: DeclaredError;
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
  readonly #injectedByOperation: Record<string, number> = {};

  constructor(options: FaultProxyOptions = {}) {
    this.#random = seededRandom(options.seed ?? 1);
    this.setFaults(options.faults ?? []);
  }

  setFaults(faults: readonly FaultRule[]): void {
    this.#rules = faults.map((rule) => ({ rule, matched: 0, fired: 0 }));
  }

  /** True when a rule matches on awsOperation: the calls must be read whole to name it. */
  get needsOperation(): boolean {
    return this.#rules.some((state) => state.rule.awsOperation !== undefined);
  }

  decide(call: MatchedCall): FaultDecision {
    this.#requests++;
    let fault: FaultDecision['fault'];
    let error: DeclaredError | undefined;
    let delayMilliseconds = 0;
    for (const state of this.#rules) {
      const { rule } = state;
      if (!matches(rule.service, call.service) || !matches(rule.operation, call.operation))
        continue;
      if (
        rule.awsOperation !== undefined &&
        (call.awsOperation === undefined || !matches(rule.awsOperation, call.awsOperation))
      )
        continue;
      state.matched++;
      if (rule.kind !== 'latency' && fault) continue;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      if (rule.calls && !rule.calls.includes(state.matched)) continue;
      if (rule.rate !== undefined && this.#random() >= rule.rate) continue;
      state.fired++;
      this.#count(call, rule.kind);
      if (rule.kind === 'latency') delayMilliseconds += rule.latencyMilliseconds ?? 200;
      else {
        fault = rule.kind;
        error = rule.error;
      }
    }
    if (!fault) return { delayMilliseconds };
    return error ? { fault, error, delayMilliseconds } : { fault, delayMilliseconds };
  }

  #count(call: MatchedCall, kind: FaultKind): void {
    this.#injected[kind]++;
    const key = `${call.service} ${call.operation} ${kind}`;
    this.#injectedByCall[key] = (this.#injectedByCall[key] ?? 0) + 1;
    if (call.awsOperation !== undefined) {
      const byOperation = `${call.awsOperation} ${kind}`;
      this.#injectedByOperation[byOperation] = (this.#injectedByOperation[byOperation] ?? 0) + 1;
    }
  }

  stats(): FaultProxyStats {
    return {
      requests: this.#requests,
      injected: { ...this.#injected },
      injectedByCall: { ...this.#injectedByCall },
      injectedByOperation: { ...this.#injectedByOperation },
    };
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const CREATE_ACCESS_POINT = 'POST /2015-02-01/access-points';

/** The request's parameters without its ClientToken, keys sorted: what "the same call" means. */
function parametersOf(request: Record<string, unknown>): string {
  const { ClientToken: _token, ...parameters } = request;
  return JSON.stringify(parameters, Object.keys(parameters).sort());
}

function jsonObject(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * CreateAccessPoint's ClientToken, as EFS honours it and moto 5.2 does not (it creates
 * another): the same token with the same parameters gets the first answer again (idempotent
 * creation); with different parameters, 409 AccessPointAlreadyExists naming the access point.
 * The SDK retries a call whose answer was lost, so without this the proxy's own faults would
 * leave duplicates EFS never would.
 */
export class AccessPointTokens {
  readonly #byToken = new Map<
    string,
    { parameters: string; accessPointId: string; answer: Buffer }
  >();

  static #token(request: Record<string, unknown>): string | undefined {
    return typeof request.ClientToken === 'string' ? request.ClientToken : undefined;
  }

  /** EFS's answer to a token already used, else undefined (forward the call). */
  answerFor(requestBody: Buffer): ErrorAnswer | undefined {
    const request = jsonObject(requestBody);
    const token = AccessPointTokens.#token(request);
    const first = token ? this.#byToken.get(token) : undefined;
    if (!first) return undefined;
    if (first.parameters === parametersOf(request)) {
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': randomUUID() },
        body: first.answer.toString('utf8'),
      };
    }
    return efsErrorAnswer(
      409,
      'AccessPointAlreadyExists',
      `An access point with ClientToken ${token} already exists with other parameters.`,
      { AccessPointId: first.accessPointId },
    );
  }

  remember(requestBody: Buffer, status: number, responseBody: Buffer): void {
    const request = jsonObject(requestBody);
    const token = AccessPointTokens.#token(request);
    if (!token || status >= 300 || this.#byToken.has(token)) return;
    const { AccessPointId } = jsonObject(responseBody);
    if (typeof AccessPointId === 'string') {
      this.#byToken.set(token, {
        parameters: parametersOf(request),
        accessPointId: AccessPointId,
        answer: responseBody,
      });
    }
  }
}

function isCreateAccessPoint(request: IncomingMessage): boolean {
  return (
    `${request.method} ${new URL(request.url ?? '/', 'http://proxy').pathname}` ===
    CREATE_ACCESS_POINT
  );
}

function asModelAnswer(answer: ErrorAnswer | undefined): ModelAnswer | undefined {
  return (
    answer && { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body) }
  );
}

function writeAnswer(response: ServerResponse, answer: ErrorAnswer | ModelAnswer): void {
  response.writeHead(answer.status, endToEndHeaders(answer.headers));
  response.end(answer.body);
}

/**
 * Starts the proxy on a free loopback port. Without a model, request and response bodies
 * stream through; only a query protocol's form body (it names the operation) and
 * CreateAccessPoint's (its ClientToken, see AccessPointTokens) are read first. With a model,
 * every request body is read, and the answers the model rewrites.
 */
export async function startFaultProxy(
  options: FaultProxyOptions & FaultProxyTarget,
): Promise<FaultProxy> {
  const plan = new FaultPlan(options);
  const accessPoints = new AccessPointTokens();
  const model = options.model ? new AwsModel(options.model) : undefined;

  /** Sends the call on; resolves with the answer read whole when `whole`, else pipes it. */
  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    call: AwsCall,
    body: Buffer | undefined,
    whole: boolean,
  ): Promise<ModelAnswer | undefined> {
    const origin = new URL(options.upstreams?.[call.service] ?? options.upstream);
    return new Promise((resolve) => {
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
          if (!whole) {
            response.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
            answer.pipe(response);
            answer.once('end', () => resolve(undefined));
            return;
          }
          readAll(answer).then(
            (read) =>
              resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: read }),
            () => resolve(undefined),
          );
        },
      );
      outgoing.once('error', () => {
        request.socket.destroy();
        resolve(undefined);
      });
      if (body) outgoing.end(body);
      else request.pipe(outgoing);
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body =
      model || plan.needsOperation || needsBody(request.headers) || isCreateAccessPoint(request)
        ? await readAll(request)
        : undefined;
    const call = identifyCall(request.method ?? 'GET', request.url ?? '/', request.headers, body);
    const awsOperation =
      plan.needsOperation && body
        ? awsOperationOf(request.method ?? 'GET', request.url ?? '/', request.headers, body)
        : undefined;
    const matched: MatchedCall = awsOperation ? { ...call, awsOperation } : call;
    options.onCall?.(matched);
    const { fault, error, delayMilliseconds } = plan.decide(matched);
    if (delayMilliseconds > 0)
      await new Promise((resolve) => setTimeout(resolve, delayMilliseconds));
    switch (fault) {
      case 'connection-reset':
        request.socket.destroy();
        return;
      case 'throttling':
      case 'internal-error':
      case 'service-unavailable':
        return writeAnswer(
          response,
          errorAnswer(fault, call.protocol, headerText(request.headers, 'content-type')),
        );
      case 'declared-error':
        if (!error) throw new Error('a declared-error fault needs its error');
        return writeAnswer(
          response,
          declaredErrorAnswer(call, error, headerText(request.headers, 'content-type')),
        );
      default:
        break;
    }
    const loseResponse = fault === 'response-lost';
    const modelRequest = model && {
      call,
      method: request.method ?? 'GET',
      url: new URL(request.url ?? '/', 'http://proxy'),
      body: body ?? Buffer.alloc(0),
      contentType: headerText(request.headers, 'content-type'),
    };
    const creatingAccessPoint = body !== undefined && call.operation === CREATE_ACCESS_POINT;
    let answer = creatingAccessPoint ? asModelAnswer(accessPoints.answerFor(body)) : undefined;
    const refused = !answer && modelRequest ? model?.before(modelRequest) : undefined;
    if (refused) {
      if (loseResponse) return void request.socket.destroy();
      return writeAnswer(response, refused);
    }
    if (!answer) {
      const whole = creatingAccessPoint || loseResponse || (model?.rewrites(call) ?? false);
      answer = await forward(request, response, call, body, whole);
      if (!answer) return;
      if (creatingAccessPoint) accessPoints.remember(body, answer.status, answer.body);
    }
    // A replayed CreateAccessPoint answer is rewritten too: its lifecycle state is the model's.
    if (model && modelRequest) answer = model.after(modelRequest, answer);
    // The service has acted; its answer never reaches the caller.
    if (loseResponse) return void request.socket.destroy();
    writeAnswer(response, answer);
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
    ...(model ? { model } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
