// The AWS model: what makes moto answer as AWS does. moto's file systems and mount targets
// are `available` the moment they exist, deletes are instant, nothing is eventually consistent
// and no limit or rate is ever reached; the model keeps a lifecycle for every resource created
// through it and, call by call, refuses what AWS would refuse (`before`) and rewrites what
// moto answers (`after`). Every rule is here, deterministic from a seed and paced by one time
// scale; local/README.md's "The AWS model" table lists them.
import type { IncomingHttpHeaders } from 'node:http';
import { seededRandom } from '../seeded-random.ts';
import {
  type AwsCall,
  type ErrorAnswer,
  ec2ErrorAnswer,
  efsErrorAnswer,
  eksErrorAnswer,
  throttlingAnswer,
} from './answers.ts';
import {
  AWS_DURATIONS,
  type Duration,
  drawSeconds,
  type LifecycleDurationName,
} from './durations.ts';
import { type RateLimit, TokenBucket } from './token-bucket.ts';

export interface AwsModelLimits {
  /** File systems per account (and Region). @default 1000 */
  readonly fileSystemsPerAccount?: number;
  /** Access points per file system. @default 10000 */
  readonly accessPointsPerFileSystem?: number;
}

export interface AwsModelOptions {
  /** Seed of the generator the durations are drawn from. @default 1 */
  readonly seed?: number;
  /**
   * AWS seconds → real seconds: 1 is AWS's pace, 0.1 ten times faster, 0 instant.
   * @default LOCAL_AWS_TIME_SCALE, else 1
   */
  readonly timeScale?: number;
  /** Replace some of AWS_DURATIONS (seconds at scale 1). */
  readonly durations?: Partial<Record<LifecycleDurationName, Duration>>;
  readonly limits?: AwsModelLimits;
  /**
   * How long (AWS seconds) after its creation a resource may still be missing from a
   * Describe: by its id, the service's NotFound error; in a list, left out. @default 1
   */
  readonly consistencySeconds?: number;
  /**
   * Rate limits by `<signing name> <operation>` pattern (a trailing `*` matches any suffix,
   * e.g. `elasticfilesystem Describe*`); the first pattern matching a call applies, each API
   * has its own token bucket, and `null` means unlimited. Real time, not scaled.
   * @default DEFAULT_RATE_LIMITS
   */
  readonly rateLimits?: Readonly<Record<string, RateLimit | null>>;
  /**
   * EKS cluster status by cluster name, e.g. `{ "demo": "CREATING" }`; it wins over an
   * update's `UPDATING`. @default as moto says (ACTIVE), `UPDATING` during an update
   */
  readonly clusterStatus?: Readonly<Record<string, string>>;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /**
   * AWS seconds from a mount target's creation until its DNS name resolves in the VPC (AWS: "up
   * to 90 seconds"); a pod's mount before then fails to resolve the file system's name.
   * @default MOUNT_TARGET_DNS_SECONDS
   */
  readonly mountTargetDnsSeconds?: number;
}

/** What AWS documents for a new mount target's DNS name: it can take up to 90 s to propagate. */
export const MOUNT_TARGET_DNS_SECONDS = 90;

/** Generous enough for one developer; a burst of volumes at once meets them. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  'elasticfilesystem *': { perSecond: 20, burst: 40 },
  'ec2 *': { perSecond: 20, burst: 50 },
  'eks *': { perSecond: 10, burst: 20 },
};

export const DEFAULT_LIMITS = {
  fileSystemsPerAccount: 1000,
  accessPointsPerFileSystem: 10_000,
} as const;

/** A request as the model sees it: the whole body is read. */
export interface ModelRequest {
  readonly call: AwsCall;
  readonly method: string;
  readonly url: URL;
  readonly body: Buffer;
  readonly contentType?: string;
}

/** moto's answer, read whole, which the model may rewrite. */
export interface ModelAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface AwsModelStats {
  /** Answers the model gave instead of moto, by `<service> <operation> <code>`. */
  readonly refused: Readonly<Record<string, number>>;
  /** Answers of moto the model rewrote, by `<service> <operation>`. */
  readonly rewritten: Readonly<Record<string, number>>;
}

interface FileSystemState {
  readonly id: string;
  readonly createdAt: number;
  readonly availableAt: number;
  deleted: boolean;
}

interface MountTargetState {
  readonly id: string;
  readonly fileSystemId: string;
  readonly securityGroups: readonly string[];
  readonly createdAt: number;
  readonly availableAt: number;
  description: Record<string, unknown>;
  /** Set by DeleteMountTarget: moto has deleted it, AWS still lists it `deleting` until then. */
  deletingUntil?: number;
}

/** An EKS cluster update made through the model: moto completed it at once, EKS takes minutes. */
interface ClusterUpdateState {
  readonly id: string;
  readonly clusterName: string;
  readonly doneAt: number;
}

interface AccessPointState {
  readonly id: string;
  readonly fileSystemId: string;
  readonly createdAt: number;
  readonly availableAt: number;
  deleted: boolean;
}

type Json = Record<string, unknown>;

function parseJson(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

function matches(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

const EFS_PATH =
  /^\/2015-02-01\/(file-systems|mount-targets|access-points)(?:\/([^/]+))?(\/security-groups)?$/;
const EFS_OPERATIONS: Record<string, Record<string, string>> = {
  'file-systems': {
    POST: 'CreateFileSystem',
    GET: 'DescribeFileSystems',
    DELETE: 'DeleteFileSystem',
  },
  'mount-targets': {
    POST: 'CreateMountTarget',
    GET: 'DescribeMountTargets',
    DELETE: 'DeleteMountTarget',
  },
  'access-points': {
    POST: 'CreateAccessPoint',
    GET: 'DescribeAccessPoints',
    DELETE: 'DeleteAccessPoint',
  },
};
const EFS_POLICY_PATH = /^\/2015-02-01\/file-systems\/([^/]+)\/policy$/;
const EFS_POLICY_OPERATIONS: Record<string, string> = {
  PUT: 'PutFileSystemPolicy',
  GET: 'DescribeFileSystemPolicy',
  DELETE: 'DeleteFileSystemPolicy',
};
/**
 * EC2 is eventually consistent: for a window after CreateSecurityGroup, a call naming the new
 * group may answer InvalidGroup.NotFound (EC2 developer guide, "Eventual consistency"). The
 * query parameters naming groups, by operation. DeleteSecurityGroup is left out: its
 * InvalidGroup.NotFound means gone to the code, as it must for a group that really is.
 */
const EC2_GROUP_PARAMETERS: Readonly<Record<string, RegExp>> = {
  AuthorizeSecurityGroupIngress: /^GroupId$/,
  AuthorizeSecurityGroupEgress: /^GroupId$/,
  RevokeSecurityGroupIngress: /^GroupId$/,
  RevokeSecurityGroupEgress: /^GroupId$/,
  CreateTags: /^ResourceId\.\d+$/,
  DescribeSecurityGroups: /^GroupId\.\d+$/,
};
/** EFS's quota on a file system policy: 20,000 characters (Amazon EFS quotas). */
export const FILE_SYSTEM_POLICY_MAX_CHARACTERS = 20_000;
const EKS_PATH = /^\/clusters\/([^/]+)(?:\/(fargate-profiles|updates|update-config)(\/[^/]+)?)?$/;
/** By `<method> <subresource>`, `/` after it when an item of it is named. */
const EKS_OPERATIONS: Record<string, string> = {
  'GET ': 'DescribeCluster',
  'GET fargate-profiles': 'ListFargateProfiles',
  'GET fargate-profiles/': 'DescribeFargateProfile',
  'POST update-config': 'UpdateClusterConfig',
  'POST updates': 'UpdateClusterVersion',
  'GET updates': 'ListUpdates',
  'GET updates/': 'DescribeUpdate',
};

/**
 * The API a call is, by its name in the service's documentation (`CreateMountTarget`), the id
 * of the resource it names (an EKS cluster's name) and of the item under it (an update's id).
 */
export function apiName(
  call: AwsCall,
  method: string,
  url: URL,
): { name: string; id?: string; itemId?: string } {
  if (call.service === 'elasticfilesystem') {
    const policy = EFS_POLICY_PATH.exec(url.pathname);
    const policyOperation = EFS_POLICY_OPERATIONS[method];
    if (policy?.[1] && policyOperation) {
      return { name: policyOperation, id: decodeURIComponent(policy[1]) };
    }
    const match = EFS_PATH.exec(url.pathname);
    if (match?.[1]) {
      if (match[3])
        return {
          name: `${method === 'GET' ? 'Describe' : 'Modify'}MountTargetSecurityGroups`,
          id: match[2] ?? '',
        };
      const name = EFS_OPERATIONS[match[1]]?.[method];
      if (name) return match[2] ? { name, id: decodeURIComponent(match[2]) } : { name };
    }
  }
  if (call.service === 'eks') {
    const match = EKS_PATH.exec(url.pathname);
    const name = match && EKS_OPERATIONS[`${method} ${match[2] ?? ''}${match[3] ? '/' : ''}`];
    if (match?.[1] && name) {
      const id = decodeURIComponent(match[1]);
      return match[3] ? { name, id, itemId: decodeURIComponent(match[3].slice(1)) } : { name, id };
    }
  }
  if (call.service === 'backup') {
    const match = BACKUP_RESTORE_JOBS_PATH.exec(url.pathname);
    if (match) {
      if (!match[1]) return { name: method === 'PUT' ? 'StartRestoreJob' : 'ListRestoreJobs' };
      return { name: 'DescribeRestoreJob', id: decodeURIComponent(match[1]) };
    }
  }
  return { name: call.operation };
}

const BACKUP_RESTORE_JOBS_PATH = /^\/restore-jobs\/?(?:([^/]+))?$/;

/** The lifecycle, limits, consistency and rates of AWS, in front of moto. */
export class AwsModel {
  readonly timeScale: number;
  readonly #random: () => number;
  readonly #clock: () => number;
  #durations: Record<LifecycleDurationName, Duration>;
  #limits: Required<AwsModelLimits>;
  #consistencySeconds: number;
  readonly #rateLimits: ReadonlyArray<[string, RateLimit | null]>;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #clusterStatus = new Map<string, string>();
  readonly #fileSystems = new Map<string, FileSystemState>();
  readonly #mountTargets = new Map<string, MountTargetState>();
  readonly #accessPoints = new Map<string, AccessPointState>();
  readonly #clusterUpdates = new Map<string, ClusterUpdateState>();
  /** AWS Backup restore jobs started through the model: when each may end. */
  readonly #restoreJobs = new Map<string, number>();
  readonly #securityGroups = new Map<string, number>();
  readonly #refused: Record<string, number> = {};
  #mountTargetDnsSeconds: number | undefined;
  readonly #rewritten: Record<string, number> = {};

  constructor(options: AwsModelOptions = {}) {
    this.timeScale = options.timeScale ?? timeScaleFromEnvironment();
    this.#random = seededRandom(options.seed ?? 1);
    this.#clock = options.clock ?? Date.now;
    this.#durations = { ...AWS_DURATIONS, ...options.durations };
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#consistencySeconds = options.consistencySeconds ?? 1;
    this.#mountTargetDnsSeconds = options.mountTargetDnsSeconds;
    this.#rateLimits = Object.entries(options.rateLimits ?? DEFAULT_RATE_LIMITS);
    for (const [name, status] of Object.entries(options.clusterStatus ?? {}))
      this.#clusterStatus.set(name, status);
  }

  /**
   * Whether a mount target's DNS name resolves now: its DNS delay has passed since the model saw
   * it created. Undefined for a mount target the model never saw created (one moto made
   * before, e.g. seeded): then nothing is known of its name.
   */
  mountTargetResolves(mountTargetId: string): boolean | undefined {
    const target = this.#mountTargets.get(mountTargetId);
    if (!target) return undefined;
    const delay = (this.#mountTargetDnsSeconds ?? MOUNT_TARGET_DNS_SECONDS) * this.timeScale * 1000;
    return this.#now() >= target.createdAt + delay;
  }

  /** Makes a cluster's DescribeCluster say this status; undefined gives moto's back. */
  setClusterStatus(clusterName: string, status: string | undefined): void {
    if (status === undefined) this.#clusterStatus.delete(clusterName);
    else this.#clusterStatus.set(clusterName, status);
  }

  /**
   * Ends every update of the cluster in progress now, as its duration would when it came (a
   * control for the tests, in place of waiting minutes of model time). Returns how many ended.
   */
  completeClusterUpdates(clusterName: string): number {
    let ended = 0;
    for (const [id, update] of this.#clusterUpdates) {
      if (update.clusterName !== clusterName || this.#now() >= update.doneAt) continue;
      this.#clusterUpdates.set(id, { ...update, doneAt: this.#now() });
      ended += 1;
    }
    return ended;
  }

  /** Changes the limits, the consistency window or durations from now on (tests). */
  configure(
    options: Pick<
      AwsModelOptions,
      'limits' | 'consistencySeconds' | 'durations' | 'mountTargetDnsSeconds'
    >,
  ): void {
    if (options.mountTargetDnsSeconds !== undefined)
      this.#mountTargetDnsSeconds = options.mountTargetDnsSeconds;
    if (options.limits) this.#limits = { ...this.#limits, ...options.limits };
    if (options.durations) this.#durations = { ...this.#durations, ...options.durations };
    if (options.consistencySeconds !== undefined)
      this.#consistencySeconds = options.consistencySeconds;
  }

  stats(): AwsModelStats {
    return { refused: { ...this.#refused }, rewritten: { ...this.#rewritten } };
  }

  /** True when moto's answer to this call must be read whole and given to `after`. */
  rewrites(call: AwsCall): boolean {
    return (
      call.service === 'elasticfilesystem' ||
      call.service === 'eks' ||
      call.service === 'backup' ||
      (call.service === 'ec2' && call.operation === 'CreateSecurityGroup')
    );
  }

  /** AWS's answer when it would not let the call reach the service (moto), else undefined. */
  before(request: ModelRequest): ErrorAnswer | undefined {
    const { call } = request;
    const api = apiName(call, request.method, request.url);
    const answer = this.#throttle(request, api.name) ?? this.#refuse(request, api);
    if (answer) {
      const code =
        answer.headers['x-amzn-ErrorType'] ??
        /<Code>([^<]+)<\/Code>/.exec(answer.body)?.[1] ??
        String(answer.status);
      const key = `${call.service} ${api.name} ${code}`;
      this.#refused[key] = (this.#refused[key] ?? 0) + 1;
    }
    return answer;
  }

  /** Learns from moto's answer and rewrites it as AWS would have answered. */
  after(request: ModelRequest, answer: ModelAnswer): ModelAnswer {
    if (answer.status >= 300) return answer;
    if (request.call.service === 'ec2') {
      this.#observeEc2(request, answer);
      return answer;
    }
    const api = apiName(request.call, request.method, request.url);
    const rewritten = this.#rewrite(request, api, parseJson(answer.body));
    if (!rewritten) return answer;
    const key = `${request.call.service} ${api.name}`;
    this.#rewritten[key] = (this.#rewritten[key] ?? 0) + 1;
    const body = Buffer.from(JSON.stringify(rewritten));
    const headers = { ...answer.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    return { status: answer.status, headers, body };
  }

  #now(): number {
    return this.#clock();
  }

  /** A moment `duration` AWS seconds from now, on the real clock. */
  #later(duration: LifecycleDurationName): number {
    return (
      this.#now() + drawSeconds(this.#durations[duration], this.#random) * this.timeScale * 1000
    );
  }

  #unseen(createdAt: number): boolean {
    return this.#now() < createdAt + this.#consistencySeconds * this.timeScale * 1000;
  }

  /** A Describe's list without what AWS would not list yet: what moto made too recently. */
  #seenOnly(
    listed: unknown,
    known: ReadonlyMap<string, { readonly createdAt: number }>,
    idField: string,
  ): Json[] {
    return ((listed as Json[] | undefined) ?? []).filter((item) => {
      const state = known.get(String(item[idField]));
      return !state || !this.#unseen(state.createdAt);
    });
  }

  #throttle(request: ModelRequest, name: string): ErrorAnswer | undefined {
    const key = `${request.call.service} ${name}`;
    const rule = this.#rateLimits.find(([pattern]) => matches(pattern, key));
    if (!rule?.[1]) return undefined;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rule[1], this.#now());
      this.#buckets.set(key, bucket);
    }
    return bucket.take(this.#now())
      ? undefined
      : throttlingAnswer(request.call, request.contentType);
  }

  #fileSystemState(id: string): 'creating' | 'available' | 'deleted' | undefined {
    const fileSystem = this.#fileSystems.get(id);
    if (!fileSystem) return undefined;
    if (fileSystem.deleted) return 'deleted';
    return this.#now() < fileSystem.availableAt ? 'creating' : 'available';
  }

  #mountTargetState(target: MountTargetState): 'creating' | 'available' | 'deleting' | 'gone' {
    if (target.deletingUntil !== undefined)
      return this.#now() < target.deletingUntil ? 'deleting' : 'gone';
    return this.#now() < target.availableAt ? 'creating' : 'available';
  }

  /** The update of the cluster still in progress, if one is. */
  #clusterUpdateInProgress(clusterName: string): ClusterUpdateState | undefined {
    return [...this.#clusterUpdates.values()].find(
      (update) => update.clusterName === clusterName && this.#now() < update.doneAt,
    );
  }

  #liveFileSystems(): number {
    return [...this.#fileSystems.values()].filter((fileSystem) => !fileSystem.deleted).length;
  }

  #liveAccessPoints(fileSystemId: string): number {
    return [...this.#accessPoints.values()].filter(
      (point) => point.fileSystemId === fileSystemId && !point.deleted,
    ).length;
  }

  #refuse(request: ModelRequest, api: { name: string; id?: string }): ErrorAnswer | undefined {
    const { call, url } = request;
    if (call.service === 'ec2') return this.#refuseEc2(request);
    if (call.service === 'eks') return this.#refuseEks(api);
    if (call.service !== 'elasticfilesystem') return undefined;
    const query = url.searchParams;
    switch (api.name) {
      case 'CreateFileSystem': {
        if (this.#liveFileSystems() < this.#limits.fileSystemsPerAccount) return undefined;
        return efsErrorAnswer(
          403,
          'FileSystemLimitExceeded',
          `You have reached the maximum number of file systems (${this.#limits.fileSystemsPerAccount}) allowed in this account and Region.`,
        );
      }
      case 'PutFileSystemPolicy': {
        // Declared by the EFS model: IncorrectFileSystemLifeCycleState (409) and
        // InvalidPolicyException (400), here for a policy over the 20,000-character quota.
        const state = api.id ? this.#fileSystemState(api.id) : undefined;
        if (state === 'creating') {
          return efsErrorAnswer(
            409,
            'IncorrectFileSystemLifeCycleState',
            `File system '${api.id}' is in 'creating' state; it must be 'available'.`,
          );
        }
        const { Policy = '' } = parseJson(request.body) as { Policy?: string };
        if (Policy.length <= FILE_SYSTEM_POLICY_MAX_CHARACTERS) return undefined;
        return efsErrorAnswer(
          400,
          'InvalidPolicyException',
          `The policy is ${Policy.length} characters; a file system policy may have at most ${FILE_SYSTEM_POLICY_MAX_CHARACTERS}.`,
        );
      }
      case 'CreateMountTarget':
      case 'CreateAccessPoint': {
        const { FileSystemId } = parseJson(request.body) as { FileSystemId?: string };
        const state = FileSystemId ? this.#fileSystemState(FileSystemId) : undefined;
        if (state === 'creating') {
          return efsErrorAnswer(
            409,
            'IncorrectFileSystemLifeCycleState',
            `File system '${FileSystemId}' is in 'creating' state; it must be 'available'.`,
          );
        }
        const { SecurityGroups = [] } = parseJson(request.body) as { SecurityGroups?: string[] };
        const unseenGroup = api.name === 'CreateMountTarget' && this.#unseenGroup(SecurityGroups);
        if (unseenGroup) {
          // EFS asks EC2 for the group, which may not know it yet (400, the SDK's @throws).
          return efsErrorAnswer(
            400,
            'SecurityGroupNotFound',
            `Security group '${unseenGroup}' does not exist in the subnet's VPC.`,
          );
        }
        if (
          api.name === 'CreateAccessPoint' &&
          FileSystemId &&
          this.#liveAccessPoints(FileSystemId) >= this.#limits.accessPointsPerFileSystem
        ) {
          return efsErrorAnswer(
            403,
            'AccessPointLimitExceeded',
            `File system '${FileSystemId}' has the maximum number of access points (${this.#limits.accessPointsPerFileSystem}).`,
          );
        }
        return undefined;
      }
      case 'DescribeFileSystems': {
        const id = query.get('FileSystemId');
        const fileSystem = id ? this.#fileSystems.get(id) : undefined;
        if (fileSystem && !fileSystem.deleted && this.#unseen(fileSystem.createdAt))
          return efsErrorAnswer(404, 'FileSystemNotFound', `File system '${id}' does not exist.`);
        return undefined;
      }
      case 'DescribeMountTargets': {
        const id = query.get('MountTargetId');
        const target = id ? this.#mountTargets.get(id) : undefined;
        if (!target) return undefined;
        if (this.#unseen(target.createdAt))
          return efsErrorAnswer(404, 'MountTargetNotFound', `Mount target '${id}' does not exist.`);
        if (this.#mountTargetState(target) === 'deleting')
          return jsonAnswer({
            MountTargets: [{ ...target.description, LifeCycleState: 'deleting' }],
          });
        return undefined;
      }
      case 'DescribeMountTargetSecurityGroups': {
        // Declared by the EFS model for this operation: 409 IncorrectMountTargetState, which
        // a mount target answers while it is being deleted (moto has already forgotten it).
        const target = api.id ? this.#mountTargets.get(api.id) : undefined;
        if (target && this.#mountTargetState(target) === 'deleting')
          return efsErrorAnswer(
            409,
            'IncorrectMountTargetState',
            `Mount target '${api.id}' is in 'deleting' state.`,
          );
        return undefined;
      }
      case 'DescribeAccessPoints': {
        const id = query.get('AccessPointId');
        const point = id ? this.#accessPoints.get(id) : undefined;
        if (point && !point.deleted && this.#unseen(point.createdAt))
          return efsErrorAnswer(404, 'AccessPointNotFound', `Access point '${id}' does not exist.`);
        return undefined;
      }
      case 'DeleteFileSystem': {
        const deleting = [...this.#mountTargets.values()].find(
          (target) =>
            target.fileSystemId === api.id && this.#mountTargetState(target) === 'deleting',
        );
        if (!deleting) return undefined;
        return efsErrorAnswer(
          409,
          'FileSystemInUse',
          `File system '${api.id}' has mount targets: ${deleting.id} is still deleting.`,
        );
      }
      default:
        return undefined;
    }
  }

  /**
   * One update at a time, as EKS allows: another while one is in progress is refused with
   * ResourceInUseException (409), which the EKS model declares for both operations.
   */
  #refuseEks(api: { name: string; id?: string }): ErrorAnswer | undefined {
    if (api.name !== 'UpdateClusterConfig' && api.name !== 'UpdateClusterVersion') return undefined;
    const running = api.id ? this.#clusterUpdateInProgress(api.id) : undefined;
    if (!running) return undefined;
    return eksErrorAnswer(
      409,
      'ResourceInUseException',
      `Cluster ${running.clusterName} has update ${running.id} in progress; wait for it to complete.`,
      { clusterName: running.clusterName },
    );
  }

  /** The first of these security group ids created too recently for AWS to know it yet. */
  #unseenGroup(ids: Iterable<string>): string | undefined {
    for (const id of ids) {
      const createdAt = this.#securityGroups.get(id);
      if (createdAt !== undefined && this.#unseen(createdAt)) return id;
    }
    return undefined;
  }

  /** The security group ids an EC2 call names, by {@link EC2_GROUP_PARAMETERS}. */
  #groupsNamed(operation: string, form: URLSearchParams): string[] {
    const pattern = EC2_GROUP_PARAMETERS[operation];
    return pattern ? [...form].filter(([name]) => pattern.test(name)).map(([, id]) => id) : [];
  }

  #refuseEc2(request: ModelRequest): ErrorAnswer | undefined {
    const form = new URLSearchParams(request.body.toString('utf8'));
    const unseen = this.#unseenGroup(this.#groupsNamed(request.call.operation, form));
    if (unseen)
      return ec2ErrorAnswer(
        400,
        'InvalidGroup.NotFound',
        `The security group '${unseen}' does not exist`,
      );
    if (request.call.operation === 'DeleteSecurityGroup') {
      const groupId = form.get('GroupId') ?? '';
      const user = [...this.#mountTargets.values()].find(
        (target) =>
          target.securityGroups.includes(groupId) && this.#mountTargetState(target) !== 'gone',
      );
      if (user) {
        return ec2ErrorAnswer(
          400,
          'DependencyViolation',
          `resource ${groupId} has a dependent object (the network interface of mount target ${user.id})`,
        );
      }
    }
    return undefined;
  }

  /** Notes what moto created or deleted; returns the rewritten body, or undefined for none. */
  #rewrite(
    request: ModelRequest,
    api: { name: string; id?: string; itemId?: string },
    body: Json,
  ): Json | undefined {
    if (request.call.service === 'eks') return this.#rewriteEks(api, body);
    if (request.call.service === 'backup') return this.#rewriteBackup(api, body);
    switch (api.name) {
      case 'CreateFileSystem':
        return this.#fileSystem(this.#learnFileSystem(body));
      case 'DescribeFileSystems': {
        const FileSystems = this.#seenOnly(body.FileSystems, this.#fileSystems, 'FileSystemId').map(
          (item) => this.#fileSystem(item),
        );
        return { ...body, FileSystems };
      }
      case 'DeleteFileSystem': {
        const fileSystem = api.id ? this.#fileSystems.get(api.id) : undefined;
        if (fileSystem) fileSystem.deleted = true;
        return undefined;
      }
      case 'CreateMountTarget':
        return this.#mountTarget(this.#learnMountTarget(request, body));
      case 'DescribeMountTargets':
        return { ...body, MountTargets: this.#listMountTargets(request, body) };
      case 'DeleteMountTarget': {
        const target = api.id ? this.#mountTargets.get(api.id) : undefined;
        if (target && target.deletingUntil === undefined)
          target.deletingUntil = this.#later('mountTargetDeleting');
        return undefined;
      }
      case 'CreateAccessPoint':
        return this.#accessPoint(this.#learnAccessPoint(body));
      case 'DescribeAccessPoints': {
        const AccessPoints = this.#seenOnly(
          body.AccessPoints,
          this.#accessPoints,
          'AccessPointId',
        ).map((item) => this.#accessPoint(item));
        return { ...body, AccessPoints };
      }
      case 'DeleteAccessPoint': {
        const point = api.id ? this.#accessPoints.get(api.id) : undefined;
        if (point) point.deleted = true;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * moto completes an update at once (local/moto_eks.py); EKS keeps it `InProgress`, and the
   * cluster `UPDATING`, for minutes. The configured status wins over `UPDATING`.
   */
  #rewriteEks(api: { name: string; id?: string; itemId?: string }, body: Json): Json | undefined {
    switch (api.name) {
      case 'UpdateClusterConfig':
      case 'UpdateClusterVersion': {
        const id = String((body.update as Json | undefined)?.id ?? '');
        if (id && api.id && !this.#clusterUpdates.has(id))
          this.#clusterUpdates.set(id, {
            id,
            clusterName: api.id,
            doneAt: this.#later('clusterUpdating'),
          });
        return undefined;
      }
      case 'DescribeUpdate': {
        const update = api.itemId ? this.#clusterUpdates.get(api.itemId) : undefined;
        if (!update || this.#now() >= update.doneAt) return undefined;
        return { ...body, update: { ...(body.update as Json), status: 'InProgress' } };
      }
      case 'DescribeCluster': {
        const status =
          api.id &&
          (this.#clusterStatus.get(api.id) ??
            (this.#clusterUpdateInProgress(api.id) ? 'UPDATING' : undefined));
        const cluster = body.cluster as Json | undefined;
        return status && cluster ? { ...body, cluster: { ...cluster, status } } : undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * moto's restore job ends after a few looks (local/moto_backup.py); AWS Backup's runs for
   * minutes: until then it is `RUNNING`, whatever moto says, without the file system or the
   * end it will have.
   */
  #rewriteBackup(api: { name: string; id?: string }, body: Json): Json | undefined {
    if (api.name === 'StartRestoreJob') {
      const id = String(body.RestoreJobId ?? '');
      if (id && !this.#restoreJobs.has(id))
        this.#restoreJobs.set(id, this.#later('restoreJobRunning'));
      return undefined;
    }
    if (api.name !== 'DescribeRestoreJob' || !api.id) return undefined;
    const doneAt = this.#restoreJobs.get(api.id);
    if (doneAt === undefined || this.#now() >= doneAt) return undefined;
    const { CreatedResourceArn: _, CompletionDate: __, StatusMessage: ___, ...running } = body;
    return { ...running, Status: 'RUNNING' };
  }

  /** EC2 answers XML, which the model does not rewrite: it only notes new security groups. */
  #observeEc2(request: ModelRequest, answer: ModelAnswer): void {
    if (request.call.operation !== 'CreateSecurityGroup' || answer.status >= 300) return;
    const groupId = /<groupId>([^<]+)<\/groupId>/.exec(answer.body.toString('utf8'))?.[1];
    if (groupId && !this.#securityGroups.has(groupId))
      this.#securityGroups.set(groupId, this.#now());
  }

  #learnFileSystem(body: Json): Json {
    const id = String(body.FileSystemId ?? '');
    if (id && !this.#fileSystems.has(id)) {
      this.#fileSystems.set(id, {
        id,
        createdAt: this.#now(),
        availableAt: this.#later('fileSystemCreating'),
        deleted: false,
      });
    }
    return body;
  }

  #fileSystem(item: Json): Json {
    const state = this.#fileSystemState(String(item.FileSystemId));
    return state === 'creating' ? { ...item, LifeCycleState: 'creating' } : item;
  }

  #learnMountTarget(request: ModelRequest, body: Json): Json {
    const id = String(body.MountTargetId ?? '');
    if (id && !this.#mountTargets.has(id)) {
      const { SecurityGroups = [] } = parseJson(request.body) as { SecurityGroups?: string[] };
      this.#mountTargets.set(id, {
        id,
        fileSystemId: String(body.FileSystemId ?? ''),
        securityGroups: SecurityGroups,
        createdAt: this.#now(),
        availableAt: this.#later('mountTargetCreating'),
        description: body,
      });
    }
    return body;
  }

  #mountTarget(item: Json): Json {
    const target = this.#mountTargets.get(String(item.MountTargetId));
    if (!target) return item;
    const state = this.#mountTargetState(target);
    return state === 'available' ? item : { ...item, LifeCycleState: state };
  }

  #listMountTargets(request: ModelRequest, body: Json): Json[] {
    const answered = (body.MountTargets as Json[] | undefined) ?? [];
    for (const item of answered) {
      const known = this.#mountTargets.get(String(item.MountTargetId));
      if (known) known.description = item;
    }
    const listed = this.#seenOnly(answered, this.#mountTargets, 'MountTargetId').map((item) =>
      this.#mountTarget(item),
    );
    const fileSystemId = request.url.searchParams.get('FileSystemId');
    const ids = new Set(listed.map((item) => item.MountTargetId));
    // moto forgot them at once; AWS lists them `deleting` until their interfaces are gone.
    const deleting = [...this.#mountTargets.values()]
      .filter(
        (target) =>
          target.fileSystemId === fileSystemId &&
          !ids.has(target.id) &&
          this.#mountTargetState(target) === 'deleting',
      )
      .map((target) => ({ ...target.description, LifeCycleState: 'deleting' }));
    return [...listed, ...deleting];
  }

  #learnAccessPoint(body: Json): Json {
    const id = String(body.AccessPointId ?? '');
    if (id && !this.#accessPoints.has(id)) {
      this.#accessPoints.set(id, {
        id,
        fileSystemId: String(body.FileSystemId ?? ''),
        createdAt: this.#now(),
        availableAt: this.#later('accessPointCreating'),
        deleted: false,
      });
    }
    return body;
  }

  #accessPoint(item: Json): Json {
    const point = this.#accessPoints.get(String(item.AccessPointId));
    return point && this.#now() < point.availableAt
      ? { ...item, LifeCycleState: 'creating' }
      : item;
  }
}

function jsonAnswer(body: Json): ErrorAnswer {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * `LOCAL_AWS_TIME_SCALE`: AWS seconds → real seconds (1 AWS's pace, 0 instant).
 * @default 1
 */
export function timeScaleFromEnvironment(): number {
  const raw = process.env.LOCAL_AWS_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 0)
    throw new Error(`LOCAL_AWS_TIME_SCALE must be a non-negative number, got "${raw}"`);
  return scale;
}
