// The typed client of the efs-volumes API, for platforms that call it from code. Requests and
// answers are typed from openapi.yaml (functions/generated/openapi-types.ts) through
// openapi-fetch; refusals throw ProblemError; calls to API Gateway are SigV4-signed.
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from '../functions/generated/openapi-types.ts';
import { assertSecureTransport, executeApiRegion, InsecureEndpointError } from './endpoint.ts';
import { problemErrorOf } from './problem-error.ts';
import { sigV4Fetch } from './sigv4-fetch.ts';

export { executeApiRegion, InsecureEndpointError, isLoopback } from './endpoint.ts';
export { type Problem, ProblemError, type ProblemField } from './problem-error.ts';

export type Volume = components['schemas']['Volume'];
export type VolumeRequest = components['schemas']['VolumeRequest'];
export type VolumePlan = components['schemas']['VolumePlan'];
export type VolumeList = components['schemas']['VolumeList'];
export type VolumeStatus = components['schemas']['VolumeStatus'];
export type StepRecord = components['schemas']['StepRecord'];
export type VolumeHealth = components['schemas']['VolumeHealth'];
export type RecoveryPoint = components['schemas']['RecoveryPoint'];
export type RecoveryPointList = components['schemas']['RecoveryPointList'];
export type ListRecoveryPointsQuery = NonNullable<
  operations['listRecoveryPoints']['parameters']['query']
>;
export type ListVolumesQuery = NonNullable<operations['listVolumes']['parameters']['query']>;

/**
 * How requests are authenticated: `auto` signs with SigV4 when the endpoint is an API Gateway
 * host (`*.execute-api.<region>.amazonaws.com`) and sends them unsigned anywhere else (local
 * mode); `sigv4` always signs (a custom domain in front of API Gateway); `none` never does.
 * Nothing is ever signed over plain http.
 */
export type Signing = 'auto' | 'sigv4' | 'none';

export interface VolumesClientOptions {
  /**
   * The API's base URL, stage included: `https://abc123.execute-api.eu-west-1.amazonaws.com/prod`.
   * https, or plain http to local mode on a loopback address (127.0.0.0/8, ::1, localhost).
   */
  readonly endpoint: string;
  /** The region of the credential scope. @default the endpoint host's region, else AWS_REGION */
  readonly region?: string;
  /** @default the AWS SDK's default chain (environment, SSO, profiles, container, instance) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default 'auto' */
  readonly signing?: Signing;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/** The endpoint did not answer at all (refused, unknown host, reset): no HTTP status to show. */
export class EndpointUnreachableError extends Error {
  override readonly name = 'EndpointUnreachableError';
  readonly endpoint: string;
  /** The system error code when there is one: ECONNREFUSED, ENOTFOUND, ECONNRESET… */
  readonly code: string | undefined;
  /** The code, else the innermost cause's message (`bad port`, `other side closed`). */
  readonly reason: string;

  constructor(endpoint: string, cause: unknown) {
    const { code, message } = rootCause(cause);
    const reason = code ?? message;
    super(`${endpoint} did not answer: ${reason}`, { cause });
    this.endpoint = endpoint;
    this.code = code;
    this.reason = reason;
  }
}

/**
 * fetch reports a network failure as TypeError('fetch failed') whose cause is the system
 * error (or an AggregateError of one per address tried): the first code on the way down,
 * and the innermost message.
 */
function rootCause(error: unknown): { code: string | undefined; message: string } {
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const own = (current as { code?: unknown }).code;
    if (code === undefined && typeof own === 'string') code = own;
    if (current instanceof Error && current.message) message = current.message;
    current =
      current instanceof AggregateError
        ? current.errors[0]
        : (current as { cause?: unknown }).cause;
  }
  return { code, message };
}

export interface CreatedVolume {
  readonly volume: Volume;
  /** The volume's URL, from the Location header. */
  readonly location: string | undefined;
}

/** A volume as one GET answered it, and how long to wait before asking again. */
export interface VolumePoll {
  readonly volume: Volume;
  /** The answer's `Retry-After` in seconds: sent only while the volume is still changing. */
  readonly retryAfterSeconds?: number;
}

/**
 * `Retry-After` as seconds: the delay-seconds form (RFC 9110), or an HTTP date's distance from
 * now; undefined when absent or unreadable.
 */
export function retryAfterSecondsOf(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP-date is always GMT (`Sun, 06 Nov 1994 08:49:37 GMT`).
  const at = text.endsWith('GMT') ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export interface VolumesClient {
  /** The base URL requests go to. */
  readonly endpoint: string;
  /** Whether requests are SigV4-signed. */
  readonly signed: boolean;
  /** The typed openapi-fetch client underneath, for any operation not wrapped here. */
  readonly api: Client<paths>;
  /** POST /volumes: records the volume and starts provisioning (202). */
  createVolume(
    request: Omit<VolumeRequest, 'dryRun'>,
    options?: { readonly idempotencyKey?: string },
  ): Promise<CreatedVolume>;
  /** POST /volumes with `dryRun: true`: what the request would create (200). */
  planVolume(request: Omit<VolumeRequest, 'dryRun'>): Promise<VolumePlan>;
  /** GET /volumes: one page, newest first. */
  listVolumes(query?: ListVolumesQuery): Promise<VolumeList>;
  /** Every volume that matches, page after page. */
  allVolumes(query?: Omit<ListVolumesQuery, 'nextToken'>): AsyncGenerator<Volume>;
  /** GET /volumes/{id}. */
  getVolume(id: string): Promise<Volume>;
  /**
   * GET /volumes/{id}, with the pause the answer asked for: `retryAfterSeconds` (its
   * `Retry-After`) while the volume is still changing, undefined once it settled. A poller
   * waits that long before its next call.
   */
  pollVolume(id: string): Promise<VolumePoll>;
  /** GET /volumes/{id}/manifests: the multi-document YAML. */
  getVolumeManifests(id: string): Promise<string>;
  /** DELETE /volumes/{id}: starts deprovisioning (202). */
  deleteVolume(id: string, options?: { readonly force?: boolean }): Promise<Volume>;
  /** POST /volumes/{id}/check: checks a READY volume for drift now and records its health. */
  checkVolume(id: string): Promise<VolumeHealth>;
  /**
   * POST /volumes/{id}/repair: starts repairing a drifted volume (202); with `verifyMount`, the
   * repair ends by proving a pod mounts the claim.
   */
  repairVolume(id: string, options?: { readonly verifyMount?: boolean }): Promise<Volume>;
  /** GET /volumes/{id}/recovery-points: one page of its file system's recovery points, newest first. */
  listRecoveryPoints(id: string, query?: ListRecoveryPointsQuery): Promise<RecoveryPointList>;
  /** Every recovery point of the volume's file system, page after page. */
  allRecoveryPoints(id: string): AsyncGenerator<RecoveryPoint>;
  /**
   * POST /volumes with `restoreFrom`: a new volume whose file system is restored from one of
   * volume `id`'s recovery points; in the source's cluster and namespace unless given. (One in
   * EFS's automatic backup vault may also be named alone: `createVolume` with
   * `restoreFrom: { recoveryPointArn }` and the cluster and namespace.)
   */
  restoreVolume(
    id: string,
    restore: {
      readonly recoveryPointArn: string;
      readonly name: string;
      readonly clusterName?: string;
      readonly namespace?: string;
    },
    options?: { readonly idempotencyKey?: string },
  ): Promise<CreatedVolume>;
}

/**
 * Decides whether to sign, and for which region; throws when the endpoint is not safe to send
 * (or sign) to, and when signing has no region.
 */
function signingRegion(url: URL, options: VolumesClientOptions): string | undefined {
  const signing = options.signing ?? 'auto';
  const hostRegion = executeApiRegion(url);
  const signs = signing === 'sigv4' || (signing === 'auto' && hostRegion !== undefined);
  // Before anything else, the region included: what the endpoint is matters more than how.
  assertSecureTransport(url, signs);
  if (!signs) return undefined;
  const region =
    options.region ?? hostRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new Error(
      `cannot sign requests to ${url.host}: no region (pass region, or set AWS_REGION)`,
    );
  }
  return region;
}

/**
 * A client of the efs-volumes API at `endpoint`. Against API Gateway it signs every request
 * with SigV4 for `execute-api` using the AWS SDK's default credential chain (or `credentials`);
 * against local mode (loopback) it sends them as they are. Every method throws
 * {@link ProblemError} when the API refuses, and {@link EndpointUnreachableError} when nothing
 * answers.
 *
 * @throws InsecureEndpointError, before any request, for plain http to a host that is not
 *   loopback, for signing over plain http, and for any scheme but http and https
 *
 * @example
 * const volumes = createVolumesClient({ endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' });
 * const { volume } = await volumes.createVolume({ clusterName: 'prod', namespace: 'team-a', name: 'data' });
 */
export function createVolumesClient(options: VolumesClientOptions): VolumesClient {
  const url = new URL(options.endpoint);
  const endpoint = url.href.replace(/\/+$/, '');
  const region = signingRegion(url, options);
  const plainFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const send =
    region === undefined
      ? plainFetch
      : sigV4Fetch({
          region,
          credentials: options.credentials ?? fromNodeProviderChain(),
          fetch: plainFetch,
        });
  const reachable = async (request: Request) => {
    try {
      return await send(request);
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      if (error instanceof InsecureEndpointError) throw error;
      throw new EndpointUnreachableError(endpoint, error);
    }
  };
  const api = createClient<paths>({ baseUrl: endpoint, fetch: reachable });

  /** The data of a successful answer, or the problem of a refusal, thrown. */
  function answer<T>(result: { data?: T; error?: unknown; response: Response }): T {
    if (!result.response.ok) throw problemErrorOf(result.response, result.error);
    return result.data as T;
  }

  const client: VolumesClient = {
    endpoint,
    signed: region !== undefined,
    api,
    async createVolume(request, { idempotencyKey } = {}) {
      const result = await api.POST('/volumes', {
        body: { ...request, dryRun: false },
        params: idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {},
      });
      const volume = answer(result) as Volume;
      const location = result.response.headers.get('Location') ?? undefined;
      return { volume, location };
    },
    async planVolume(request) {
      return answer(
        await api.POST('/volumes', { body: { ...request, dryRun: true } }),
      ) as VolumePlan;
    },
    async listVolumes(query = {}) {
      return answer(await api.GET('/volumes', { params: { query } }));
    },
    async *allVolumes(query = {}) {
      let nextToken: string | undefined;
      do {
        const page = await client.listVolumes({ ...query, ...(nextToken ? { nextToken } : {}) });
        yield* page.items;
        nextToken = page.nextToken;
      } while (nextToken);
    },
    async getVolume(id) {
      return (await client.pollVolume(id)).volume;
    },
    async pollVolume(id) {
      const result = await api.GET('/volumes/{id}', { params: { path: { id } } });
      const volume = answer(result);
      const retryAfter = retryAfterSecondsOf(result.response.headers.get('Retry-After'));
      return { volume, ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) };
    },
    async getVolumeManifests(id) {
      return answer(
        await api.GET('/volumes/{id}/manifests', { params: { path: { id } }, parseAs: 'text' }),
      );
    },
    async deleteVolume(id, { force = false } = {}) {
      return answer(
        await api.DELETE('/volumes/{id}', {
          params: { path: { id }, ...(force ? { query: { force } } : {}) },
        }),
      );
    },
    async checkVolume(id) {
      return answer(await api.POST('/volumes/{id}/check', { params: { path: { id } } }));
    },
    async repairVolume(id, options = {}) {
      return answer(
        await api.POST('/volumes/{id}/repair', {
          params: {
            path: { id },
            ...(options.verifyMount ? { query: { verifyMount: true } } : {}),
          },
        }),
      );
    },
    async listRecoveryPoints(id, query = {}) {
      return answer(
        await api.GET('/volumes/{id}/recovery-points', { params: { path: { id }, query } }),
      );
    },
    async *allRecoveryPoints(id) {
      let nextToken: string | undefined;
      do {
        const page = await client.listRecoveryPoints(id, nextToken ? { nextToken } : {});
        yield* page.items;
        nextToken = page.nextToken;
      } while (nextToken);
    },
    async restoreVolume(id, { recoveryPointArn, name, ...where }, options = {}) {
      const source = where.clusterName && where.namespace ? undefined : await client.getVolume(id);
      return client.createVolume(
        {
          clusterName: where.clusterName ?? source?.clusterName ?? '',
          namespace: where.namespace ?? source?.namespace ?? '',
          name,
          restoreFrom: { volumeId: id, recoveryPointArn },
        },
        options,
      );
    },
  };
  return client;
}
