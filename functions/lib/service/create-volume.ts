import { createHash } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import type { EKSClient } from '@aws-sdk/client-eks';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type ClusterDescription, describeCluster } from '../aws/cluster.ts';
import { type FargateReport, fargatePreflight } from '../aws/fargate-preflight.ts';
import { stackName } from '../aws/tags.ts';
import { errorName, isTransientError } from '../aws/transient.ts';
import { started } from '../concurrency.ts';
import type { MountCheckSettings } from '../config.ts';
import { VolumeRecordStateError } from '../errors.ts';
import type { KubernetesReader } from '../kube/read-client.ts';
import type { VolumeMetrics } from '../metrics.ts';
import { ProblemError, problems } from '../problems/problem.ts';
import type { RecentAnswers } from '../recent-answers.ts';
import { SETTINGS } from '../settings.ts';
import { newVolumeId } from '../volume/names.ts';
import { matchesPool, type PoolMember, poolSize, type WarmPoolSizes } from '../volume/pool.ts';
import { DEFAULT_VOLUME_LIMITS, QuotaExceededError, type VolumeLimits } from '../volume/quota.ts';
import {
  ClaimTakenError,
  PoolMemberTakenError,
  toVolume,
  type Volume,
  type VolumeRecord,
} from '../volume/record.ts';
import { type VolumeSpec, validateVolumeRequest } from '../volume/request.ts';
import { executionArnOf } from '../workflow/execution-status-change.ts';
import { failUnstartedProvisioning, startExecution } from '../workflow/workflow-start.ts';
import { authorize, authorizeSharedFileSystem } from './access-policy.ts';
import type { VolumePlan } from './plan.ts';
import type { RecoveryPointDependencies } from './restore.ts';
import { asProblem } from './service-errors.ts';
import type { ReadDependencies } from './volume-access.ts';

export interface VolumeServiceSettings {
  readonly allowRootPosixUser: boolean;
  /** A request's `verifyMount` when it names none (VERIFY_MOUNT). @default false */
  readonly verifyMount?: boolean;
  /** The mount check's Job, for the plan. @default none: the plan shows no Job */
  readonly mountCheck?: MountCheckSettings;
  readonly provisionStateMachineArn: string;
  readonly deprovisionStateMachineArn: string;
  /** @default '' (no repairs: the functions that start none need not know it) */
  readonly repairStateMachineArn: string;
  /** Live volumes per namespace and per caller. @default DEFAULT_VOLUME_LIMITS */
  readonly limits?: VolumeLimits;
  /**
   * Free addresses a new volume's mount targets must leave in each subnet.
   * @default 16 (SUBNET_ADDRESS_RESERVE)
   */
  readonly subnetAddressReserve?: number;
  /** Warm pool members per cluster (WARM_POOL). @default none */
  readonly warmPool?: WarmPoolSizes;
  /**
   * How long a passed cluster preflight (the cluster, its Fargate profiles, subnets and VPC
   * DNS) is reused for the same cluster and namespace (PREFLIGHT_CACHE_SECONDS). @default 0
   */
  readonly preflightCacheSeconds?: number;
}

/** A preflight's AWS part that passed: the cluster and the Fargate report. */
export interface PassedPreflight {
  readonly cluster: ClusterDescription;
  readonly fargate: FargateReport;
}

/** How many members a request tries before it makes a new file system. */
const POOL_ATTEMPTS = 3;

/**
 * The warm pool members a request may take, oldest first: none unless the cluster keeps a
 * pool and the request asks for a new file system with the pool's settings.
 */
async function poolCandidates(
  deps: VolumeServiceDependencies,
  spec: VolumeSpec,
): Promise<PoolMember[]> {
  // A restored file system is made by AWS Backup, never taken from the pool.
  if (spec.restoreFrom || poolSize(deps.settings.warmPool, spec.clusterName) === 0) return [];
  const available = await deps.records.pool().list(spec.clusterName, 'AVAILABLE');
  return available.filter((member) => matchesPool(spec, member.fileSystem));
}

/** What the API's operations need; the handlers build it from module-level clients. */
export interface VolumeServiceDependencies extends ReadDependencies {
  /**
   * AWS Backup and where the file systems are, for a restore (`restoreFrom`); without them
   * restores are refused. @default none
   */
  /**
   * Loads AWS Backup and where the file systems are, for a restore (only a restore loads the
   * client); absent where restores are not set up.
   */
  readonly recoveryPoints?: () => Promise<Pick<RecoveryPointDependencies, 'backup' | 'site'>>;
  readonly sfn: SFNClient;
  readonly eks: EKSClient;
  /** For the Fargate preflight: the VPC's DNS attributes and the subnets' zones. */
  readonly ec2: EC2Client;
  /** For shared mode: the file system's shareable tag and, if another's, its policy. */
  readonly efs: EFSClient;
  readonly kubernetes: (cluster: ClusterDescription) => Promise<KubernetesReader>;
  /**
   * The AWS part of preflights that passed, kept by the execution environment for
   * `settings.preflightCacheSeconds`. @default none: each request reads AWS
   */
  readonly preflights?: RecentAnswers<PassedPreflight>;
  readonly settings: VolumeServiceSettings;
  readonly metrics: VolumeMetrics;
}

/** Who asks, and with which idempotency key (the header, or an event's key). */
export interface RequestContext {
  readonly caller: string;
  readonly idempotencyKey?: string | undefined;
}

export type CreateVolumeResult =
  | { readonly kind: 'accepted'; readonly volume: Volume }
  | { readonly kind: 'plan'; readonly plan: VolumePlan };

/** JSON with sorted keys, so two bodies that mean the same hash the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The volume id an idempotency key stands for: derived from caller and key, so concurrent
 * requests with one key race for one DynamoDB item and all get the same volume back.
 */
export function volumeIdForKey(caller: string, key: string): string {
  return `vol-${sha256(`${caller}\n${key}`).slice(0, 20)}`;
}

function isClaimExists(error: unknown): boolean {
  return error instanceof ProblemError && error.slug === 'claim-exists';
}

/**
 * Checks before anything is created: cluster ACTIVE, namespace there, claim name free; then
 * the Fargate checks (VPC DNS, profiles, zones). The AWS part of a check that passed is reused
 * for the same cluster and namespace for `preflightCacheSeconds` (a burst of requests reads
 * it once per execution environment); the Kubernetes part (namespace, claim) is read every
 * time, and a refusal is never kept.
 */
async function preflight(
  deps: VolumeServiceDependencies,
  spec: { clusterName: string; namespace: string; name: string; fileSystemId?: string },
): Promise<PassedPreflight> {
  // Only a volume that creates its own mount targets takes subnet addresses.
  const subnetAddressReserve =
    spec.fileSystemId === undefined
      ? (deps.settings.subnetAddressReserve ?? SETTINGS.SUBNET_ADDRESS_RESERVE.default)
      : undefined;
  const key = JSON.stringify([spec.clusterName, spec.namespace, subnetAddressReserve ?? null]);
  const keepSeconds = deps.settings.preflightCacheSeconds ?? 0;
  const recent = deps.preflights?.get(key, keepSeconds);
  const cluster = recent?.cluster ?? (await describeCluster(deps.eks, spec.clusterName));
  // The Fargate checks (AWS) run beside the Kubernetes ones; a refusal of the Kubernetes
  // checks still comes first, as when they ran one after the other.
  const fargate = recent
    ? { result: async () => recent.fargate }
    : started(fargatePreflight(deps, cluster, spec.namespace, { subnetAddressReserve }));
  const reader = await deps.kubernetes(cluster);
  if (!(await reader.namespaceExists(spec.namespace)))
    throw problems.namespaceNotFound(spec.namespace);
  if (await reader.claimExists(spec.namespace, spec.name))
    throw problems.claimExists(spec.namespace, spec.name);
  const passed = { cluster, fargate: await fargate.result() };
  if (!recent) deps.preflights?.set(key, passed, keepSeconds);
  return passed;
}

/**
 * Answers a replayed idempotency key: the same volume for the same body, else 409. A volume
 * still PENDING may not have been started (the first attempt failed in between): starting it
 * again is safe, as the same execution name and input are the same execution.
 */
async function replay(
  deps: VolumeServiceDependencies,
  existing: VolumeRecord,
  requestHash: string,
  key: string,
): Promise<CreateVolumeResult> {
  if (existing.requestHash !== requestHash) throw problems.idempotencyKeyReused(key);
  if (existing.status === 'PENDING') {
    await startProvisioning(deps, existing.id, existing.spec, key);
  }
  return { kind: 'accepted', volume: toVolume(existing) };
}

/**
 * Whether the provisioning execution exists: StartExecution can fail after Step Functions
 * started it (the answer lost), so its failure alone does not say. Undefined when that
 * cannot be told either (DescribeExecution failing too).
 */
async function executionStarted(
  deps: VolumeServiceDependencies,
  name: string,
): Promise<boolean | undefined> {
  try {
    await deps.sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArnOf(deps.settings.provisionStateMachineArn, name),
      }),
    );
    return true;
  } catch (error) {
    return errorName(error) === 'ExecutionDoesNotExist' ? false : undefined;
  }
}

/**
 * Starts the provisioning execution of a PENDING volume. If it cannot be started, the record
 * is never left PENDING for nothing: with an idempotency key the record and its claim are
 * withdrawn (a retry with the key starts afresh), without one the volume is FAILED (claim
 * released); either way nothing was built, and the caller gets a 503 to retry. When whether it
 * started cannot be told, the record stays PENDING for the stale-PENDING check
 * (functions/lib/settle/settle-execution.ts `settleStalePending`) to settle.
 */
async function startProvisioning(
  deps: VolumeServiceDependencies,
  volumeId: string,
  spec: VolumeSpec,
  key: string | undefined,
): Promise<void> {
  try {
    // Ids only: each step reads the spec from the record (the record is the truth); a
    // restore's recovery point too, for the state machine's choice of the restore steps.
    await startExecution(deps, deps.settings.provisionStateMachineArn, volumeId, {
      volumeId,
      operation: 'provision',
      ...(spec.restoreFrom ? { restoreFrom: spec.restoreFrom.recoveryPointArn } : {}),
    });
    return;
  } catch (error) {
    const started = await executionStarted(deps, volumeId);
    if (started) return;
    if (started === false) {
      if (key) {
        await deps.records.withdrawPending({ id: volumeId, spec });
      } else {
        await failUnstartedProvisioning(deps.records, volumeId, volumeId, error);
      }
    }
    const detail = `the provisioning workflow could not be started (${errorName(error)}); nothing was built`;
    // A retry meets the same answer unless AWS's own was transient (the outcome table's).
    if (!isTransientError(error)) throw problems.internal(error, detail);
    throw problems.unavailable(
      `${detail}${key ? '; retry with the same Idempotency-Key' : ''}`,
      error,
    );
  }
}

/**
 * POST /volumes and the `Volume Provision Requested` event: validate, authorize (a volume on a
 * shared file system also needs a rule sharing it, granted POSIX ids, a root directory under
 * `/<cluster>/<namespace>/` that no other owner's volume used, the file system's shareable
 * tag and, if this stack did not create it, a policy that closes it to anonymous clients),
 * check the cluster, record PENDING,
 * start the provisioning workflow. With dryRun, only the plan.
 */
export async function createVolume(
  deps: VolumeServiceDependencies,
  body: unknown,
  context: RequestContext,
): Promise<CreateVolumeResult> {
  try {
    const requested = validateVolumeRequest(body, {
      allowRootPosixUser: deps.settings.allowRootPosixUser,
      verifyMount: deps.settings.verifyMount,
    });
    const decision = authorize(
      deps.policy,
      context.caller,
      requested.clusterName,
      requested.namespace,
    );
    if (!decision.allowed) throw problems.forbidden(decision.reason);
    const spec = requested.restoreFrom ? await restoredSpec(deps, requested, context) : requested;
    if (spec.fileSystemId !== undefined) {
      const { fileSystemId } = spec;
      const shared = authorizeSharedFileSystem(deps.policy, context.caller, {
        ...spec,
        fileSystemId,
      });
      if (!shared.allowed) throw problems.forbidden(shared.reason);
      // Before the plan too: a dry run answers what the real request would.
      const { sharedFileSystemProblem, checkSharedPath } = await sharedFileSystemChecks();
      const refused = await sharedFileSystemProblem(deps.efs, fileSystemId, stackName());
      if (refused) throw refused;
      await checkSharedPath(deps, spec, context.caller);
    }
    const requestHash = sha256(canonicalJson(body));
    const key = context.idempotencyKey;
    const volumeId = key ? volumeIdForKey(context.caller, key) : newVolumeId();
    let checked: Awaited<ReturnType<typeof preflight>>;
    try {
      checked = await preflight(deps, spec);
    } catch (error) {
      // A replay finds its own claim: only then is the record read (one call less per POST).
      const existing =
        key && !spec.dryRun && isClaimExists(error) ? await deps.records.get(volumeId) : undefined;
      if (existing && key) return await replay(deps, existing, requestHash, key);
      throw error;
    }
    const { cluster, fargate } = checked;
    const limits = deps.settings.limits ?? DEFAULT_VOLUME_LIMITS;
    const candidates = await poolCandidates(deps, spec);
    if (spec.dryRun) {
      // A dry run answers as the request would: over a limit, the same 429.
      const usage = await deps.records.quotaUsage(spec, context.caller, limits);
      const full = usage.find((quota) => quota.usage >= quota.limit);
      if (full) throw problems.quotaExceeded(full);
      const member = candidates[0];
      // The plan's builders (manifests, pricing) load with the first dry run: no other
      // request needs them.
      const { planVolume } = await import('./plan.ts');
      return {
        kind: 'plan',
        // Priced in the Region the functions run in (the SDK's AWS_REGION).
        plan: planVolume(
          member?.id ?? volumeId,
          spec,
          cluster,
          fargate,
          usage,
          member,
          process.env.AWS_REGION,
          deps.settings.mountCheck,
        ),
      };
    }
    // Before the record: a directory another owner took meanwhile refuses the volume here.
    if (spec.fileSystemId !== undefined) {
      const { takeSharedPath } = await sharedFileSystemChecks();
      await takeSharedPath(deps, spec, context.caller, volumeId);
    }
    let record: VolumeRecord;
    try {
      // The execution is named after the volume, so the record names it before it starts.
      const extra = (id: string) => ({
        requestHash,
        caller: context.caller,
        executionName: id,
        limits,
        ...(key ? { idempotencyKey: key } : {}),
        ...(fargate.warnings.length > 0 ? { warnings: [...fargate.warnings] } : {}),
      });
      const pooled = await takePoolMember(candidates, (member) =>
        deps.records.create(member.id, spec, {
          ...extra(member.id),
          pool: member,
          ...(key ? { aliasId: volumeId } : {}),
        }),
      );
      record = pooled ?? (await deps.records.create(volumeId, spec, extra(volumeId)));
    } catch (error) {
      // Another live volume holds this claim: refused before anything is created.
      if (error instanceof ClaimTakenError)
        throw problems.claimHeld(spec.namespace, spec.name, error.holder);
      // A limit is reached: refused before anything is created, the same transaction.
      if (error instanceof QuotaExceededError) throw problems.quotaExceeded(error.usage);
      if (error instanceof VolumeRecordStateError && key) {
        return await replay(deps, await deps.records.require(volumeId), requestHash, key);
      }
      throw error;
    }
    await startProvisioning(deps, record.id, spec, key);
    deps.metrics.volumeRequested();
    return {
      kind: 'accepted',
      volume: toVolume(record),
    };
  } catch (error) {
    return asProblem(error);
  }
}

/**
 * The checks of a volume on a shared file system, and the taking of its directory: loaded
 * with the first such request (they read EFS, which no other request does).
 */
async function sharedFileSystemChecks() {
  const [{ sharedFileSystemProblem }, { checkSharedPath, takeSharedPath }] = await Promise.all([
    import('./shared-file-system.ts'),
    import('./shared-paths.ts'),
  ]);
  return { sharedFileSystemProblem, checkSharedPath, takeSharedPath };
}

/**
 * A restore's spec from its source volume (restore.ts); refused where restores are not set up.
 * restore.ts and AWS Backup are loaded here, on the first restore: no other request needs them.
 */
async function restoredSpec(
  deps: VolumeServiceDependencies,
  spec: VolumeSpec,
  context: RequestContext,
): Promise<VolumeSpec> {
  if (!deps.recoveryPoints) {
    throw problems.unavailable('restores are not configured here (RESTORE_ROLE_ARN is unset)');
  }
  const [{ restoreSpec }, recoveryPoints] = await Promise.all([
    import('./restore.ts'),
    deps.recoveryPoints(),
  ]);
  return restoreSpec({ ...deps, ...recoveryPoints }, spec, context.caller);
}

/**
 * Takes the first of `candidates` no other request takes first (each try is one transaction
 * that replaces the member's item with the volume's record only while it is AVAILABLE).
 *
 * @returns the volume's record; undefined when none could be taken (a new file system then)
 */
async function takePoolMember(
  candidates: readonly PoolMember[],
  take: (member: PoolMember) => Promise<VolumeRecord>,
): Promise<VolumeRecord | undefined> {
  for (const member of candidates.slice(0, POOL_ATTEMPTS)) {
    try {
      return await take(member);
    } catch (error) {
      if (!(error instanceof PoolMemberTakenError)) throw error;
    }
  }
  return undefined;
}
