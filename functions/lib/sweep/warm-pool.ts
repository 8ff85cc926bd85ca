import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import type { EKSClient } from '@aws-sdk/client-eks';
import { type ClusterNetwork, describeClusterNetwork, subnetPerZone } from '../aws/cluster.ts';
import {
  assertFileSystemAvailable,
  deleteOwnFileSystem,
  ensureFileSystem,
  fileSystemTag,
  findOwnFileSystem,
} from '../aws/file-system.ts';
import { putAccessPointOnlyPolicy } from '../aws/file-system-policy.ts';
import {
  ensureMountTargets,
  listMountTargets,
  startDeletingMountTargets,
} from '../aws/mount-targets.ts';
import {
  deleteSecurityGroup,
  ensureSecurityGroup,
  findSecurityGroup,
} from '../aws/security-group.ts';
import { STACK_TAG, stackName, type Tag } from '../aws/tags.ts';
import { errorName, isTransientError } from '../aws/transient.ts';
import { newVolumeId, VOLUME_ID_TAG } from '../volume/names.ts';
import {
  POOL_FILE_SYSTEM,
  POOL_TAG,
  type PoolMember,
  type PoolStore,
  poolSize,
  type WarmPoolSizes,
} from '../volume/pool.ts';

export interface WarmPoolDependencies {
  readonly efs: EFSClient;
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly pool: PoolStore;
  readonly settings: {
    readonly warmPool: WarmPoolSizes;
    /** The stack's EFS key, as every volume's file system has. */
    readonly kmsKeyId: string | undefined;
  };
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WarmPoolOptions {
  /** How long a run waits for a new member's mount targets to turn available. @default 240 s */
  readonly readyWaitMs?: number;
  /** How often it looks at their mount targets meanwhile. @default 2 s */
  readonly lookIntervalMs?: number;
  /** A member still CREATING after this long is discarded. @default 15 minutes */
  readonly staleCreatingMs?: number;
}

/** What one run did to one cluster's pool. */
export interface WarmPoolReport {
  readonly clusterName: string;
  readonly size: number;
  /** Members ready to take at the end of the run. */
  readonly available: number;
  readonly created: readonly string[];
  readonly discarded: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  /** Discarded members whose resources are all gone, forgotten. */
  readonly removed: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id?: string; readonly error: string }>;
}

/** The tags of a member's file system and security group: a volume's, plus the pool's. */
export function poolTags(id: string, clusterName: string, stack: string = stackName()): Tag[] {
  return [
    { Key: 'Name', Value: `${clusterName}/warm-pool` },
    { Key: VOLUME_ID_TAG, Value: id },
    { Key: 'efs-volumes:cluster', Value: clusterName },
    { Key: STACK_TAG, Value: stack },
    { Key: POOL_TAG, Value: clusterName },
  ];
}

const describe = (error: unknown) => `${errorName(error)}: ${(error as Error).message}`;

/** The clock and sleep a run keeps time by: the dependencies', else the real ones. */
function clockOf(deps: Pick<WarmPoolDependencies, 'now' | 'sleep'>) {
  return {
    now: deps.now ?? (() => new Date()),
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
}

/**
 * Keeps each cluster's warm pool at its size (WARM_POOL), once per scheduled run:
 * 1. every AVAILABLE member is looked at; one whose file system, security group or mount
 *    targets drifted (gone, not available, a zone without one) is discarded;
 * 2. a CREATING member whose mount targets turned available becomes AVAILABLE; one stuck
 *    (its creation failed, or it has waited past `staleCreatingMs`) is discarded;
 * 3. every DISCARDING member's resources are deleted, one stage per run (mount targets, then
 *    when they are gone the file system, then the security group), and the member forgotten;
 * 4. new members are made until the pool has its size (a smaller size discards the surplus).
 * A member is never given back: a deleted volume's file system held data. Discarding is
 * conditioned on the item still being a member, so a member taken meanwhile is never touched.
 */
export async function maintainWarmPools(
  deps: WarmPoolDependencies,
  options: WarmPoolOptions = {},
): Promise<WarmPoolReport[]> {
  const reports: WarmPoolReport[] = [];
  // Without any pool the role may make and delete nothing (infra/health-checks.ts): no look.
  if (Object.keys(deps.settings.warmPool).length === 0) return reports;
  // A cluster no longer configured keeps none: its members are discarded.
  const members = await deps.pool.list();
  const clusters = new Set([
    ...Object.keys(deps.settings.warmPool),
    ...members.map((member) => member.clusterName),
  ]);
  for (const clusterName of [...clusters].sort()) {
    try {
      const own = members.filter((member) => member.clusterName === clusterName);
      reports.push(await maintainPool(deps, clusterName, own, options));
    } catch (error) {
      // One cluster's pool never stops another's (its cluster could not be described).
      const size = poolSize(deps.settings.warmPool, clusterName);
      reports.push({
        clusterName,
        size,
        available: 0,
        created: [],
        discarded: [],
        removed: [],
        failed: [{ error: describe(error) }],
      });
    }
  }
  return reports;
}

async function maintainPool(
  deps: WarmPoolDependencies,
  clusterName: string,
  members: readonly PoolMember[],
  options: WarmPoolOptions,
): Promise<WarmPoolReport> {
  const { now } = clockOf(deps);
  const size = poolSize(deps.settings.warmPool, clusterName);
  const created: string[] = [];
  const discarded: Array<{ id: string; reason: string }> = [];
  const removed: string[] = [];
  const failed: Array<{ id?: string; error: string }> = [];
  const discard = async (member: PoolMember, reason: string) => {
    if (await deps.pool.discard(member.id, reason)) discarded.push({ id: member.id, reason });
  };

  // A pool to drain needs no cluster description unless a member is still being made.
  let cluster: ClusterNetwork | undefined;
  const network = async () => {
    cluster ??= await describeClusterNetwork(deps, clusterName);
    return cluster;
  };
  let ready = 0;
  let pending = 0;
  for (const member of members) {
    try {
      if (member.poolState === 'DISCARDING') {
        if (await tearDown(deps, member)) removed.push(member.id);
        continue;
      }
      if (member.poolState === 'AVAILABLE' && ready >= size) {
        await discard(member, `the pool of ${clusterName} keeps ${size}`);
        continue;
      }
      const { drift, ready: takeable } = await inspect(deps, member, await network());
      if (member.poolState === 'AVAILABLE') {
        if (drift) await discard(member, drift);
        else ready += 1;
        continue;
      }
      // CREATING: made by an earlier run that ran out of time, or being made right now.
      const age = now().getTime() - Date.parse(member.createdAt);
      if (drift) {
        await discard(member, drift);
      } else if (takeable) {
        await deps.pool.makeAvailable(member.id);
        ready += 1;
      } else if (age > (options.staleCreatingMs ?? 15 * 60_000)) {
        await discard(member, 'still being made after 15 minutes');
      } else {
        pending += 1;
      }
    } catch (error) {
      failed.push({ id: member.id, error: describe(error) });
    }
  }
  const making: MadeMember[] = [];
  for (let missing = size - ready - pending; missing > 0; missing -= 1) {
    const id = newVolumeId();
    try {
      making.push(await makeMember(deps, id, clusterName, await network(), options));
      created.push(id);
    } catch (error) {
      failed.push({ id, error: describe(error) });
      // Its resources go with the next runs, as any discarded member's.
      await deps.pool.discard(id, `its creation failed: ${describe(error)}`).catch(() => false);
      break;
    }
  }
  ready += await promoteWhenReady(deps, making, options);
  return { clusterName, size, available: ready, created, discarded, removed, failed };
}

/**
 * What is wrong with a member, if anything (`drift`: its file system gone, not available or no
 * longer the pool's; its security group gone; a zone of the cluster without a mount target or
 * with one not `available`), and whether it is ready to take. A member still being made is
 * not drifted for what is not made yet, only not ready.
 */
async function inspect(
  deps: WarmPoolDependencies,
  member: PoolMember,
  cluster: ClusterNetwork,
): Promise<{ readonly drift?: string; readonly ready: boolean }> {
  const making = member.poolState === 'CREATING';
  const notYet = { ready: false };
  const fileSystem = await findOwnFileSystem(deps.efs, member.id);
  if (!fileSystem?.FileSystemId) {
    return making ? notYet : { drift: 'its file system is gone', ready: false };
  }
  if (fileSystemTag(fileSystem, POOL_TAG) === undefined) {
    return { drift: 'its file system left the pool', ready: false };
  }
  if (fileSystem.LifeCycleState !== 'available') {
    return making
      ? notYet
      : { drift: `its file system is ${fileSystem.LifeCycleState}`, ready: false };
  }
  if (making && !member.mountTargetsCreatedAt) return notYet;
  if (!(await findSecurityGroup(deps.ec2, member.id))) {
    return { drift: 'its security group is gone', ready: false };
  }
  const targets = await listMountTargets(deps.efs, fileSystem.FileSystemId);
  let ready = true;
  for (const subnet of subnetPerZone(cluster)) {
    const zone = subnet.availabilityZone;
    const target = targets.find((candidate) => candidate.AvailabilityZoneName === zone);
    // One being made may not be listed yet (EFS is eventually consistent).
    if (!target && making) {
      ready = false;
      continue;
    }
    if (!target) return { drift: `no mount target in ${zone}`, ready: false };
    if (making && target.LifeCycleState === 'creating') {
      ready = false;
    } else if (target.LifeCycleState !== 'available') {
      return { drift: `its mount target in ${zone} is ${target.LifeCycleState}`, ready: false };
    }
  }
  return { ready };
}

/**
 * Makes one member: recorded CREATING first (so nothing it makes is ever nobody's), then its
 * security group, encrypted file system, access-point-only policy (before any mount target:
 * never reachable without it) and a mount target per zone (their availability is waited for
 * by {@link promoteWhenReady}).
 */
async function makeMember(
  deps: WarmPoolDependencies,
  id: string,
  clusterName: string,
  cluster: ClusterNetwork,
  options: WarmPoolOptions,
): Promise<MadeMember> {
  const { sleep, now } = clockOf(deps);
  const deadline = now().getTime() + (options.readyWaitMs ?? 240_000);
  const tags = poolTags(id, clusterName);
  // Each stage is idempotent, as a step is: retried here as the state machine retries a step
  // (EC2 may not know the group a moment after making it; the file system is creating).
  const again = <T>(stage: () => Promise<T>) => retryingTransient(stage, sleep, deadline, now);
  await deps.pool.begin(id, clusterName);
  const securityGroupId = await again(() => ensureSecurityGroup(deps.ec2, id, cluster, tags));
  const { fileSystemId } = await again(() =>
    ensureFileSystem(deps.efs, id, POOL_FILE_SYSTEM, tags, deps.settings.kmsKeyId),
  );
  // FileSystemNotReadyError while it is creating: retried like any stage.
  await again(() => assertFileSystemAvailable(deps.efs, fileSystemId));
  await again(() => putAccessPointOnlyPolicy(deps.efs, { fileSystemId, stack: stackName() }));
  const { mountTargetIds } = await again(() =>
    ensureMountTargets(deps.efs, fileSystemId, cluster, securityGroupId),
  );
  const member = {
    id,
    fileSystemId,
    securityGroupId,
    mountTargetIds,
    mountTargetsCreatedAt: now().toISOString(),
  };
  // Recorded now, so a run that ends before they are available leaves a member the next
  // run can promote (or discard).
  await deps.pool.recordMountTargets(id, member);
  return member;
}

/**
 * A mount target just made that is not `available` yet: `creating`, or not listed yet (EFS is
 * eventually consistent: DescribeMountTargets may leave out one created a moment before).
 */
const PENDING_STATES = new Set<string | undefined>(['available', 'creating', undefined]);

interface MadeMember {
  readonly id: string;
  readonly fileSystemId: string;
  readonly securityGroupId: string;
  readonly mountTargetIds: readonly string[];
  readonly mountTargetsCreatedAt: string;
}

/**
 * Waits, up to `readyWaitMs`, for the mount targets of the members made in this run to turn
 * available, and makes each AVAILABLE as its do; the others the next run looks at again.
 *
 * @returns how many became AVAILABLE
 */
async function promoteWhenReady(
  deps: WarmPoolDependencies,
  members: readonly MadeMember[],
  options: WarmPoolOptions,
): Promise<number> {
  const { sleep, now } = clockOf(deps);
  const deadline = now().getTime() + (options.readyWaitMs ?? 240_000);
  let waiting = [...members];
  let promoted = 0;
  while (waiting.length > 0) {
    const still: MadeMember[] = [];
    for (const member of waiting) {
      const targets = await listMountTargets(deps.efs, member.fileSystemId);
      const states = member.mountTargetIds.map(
        (id) => targets.find((target) => target.MountTargetId === id)?.LifeCycleState,
      );
      if (states.every((state) => state === 'available')) {
        await deps.pool.makeAvailable(member.id);
        promoted += 1;
      } else if (states.every((state) => PENDING_STATES.has(state))) {
        still.push(member);
      } else {
        await deps.pool.discard(member.id, `a mount target is ${states.join(', ')}`);
      }
    }
    waiting = still;
    if (waiting.length === 0 || now().getTime() > deadline) break;
    await sleep(options.lookIntervalMs ?? 2000);
  }
  return promoted;
}

/** What a retry may mend: our TransientError, FileSystemNotReadyError, AWS's throttling, 5xx. */
function mendable(error: unknown): boolean {
  const name = errorName(error);
  return name === 'TransientError' || name === 'FileSystemNotReadyError' || isTransientError(error);
}

/**
 * Runs `stage` until it succeeds, retrying what a retry may mend with backoff (1 s doubling to
 * 16 s, as the state machine's retriers) until `deadline`; anything else, or the deadline,
 * ends the member's making.
 */
async function retryingTransient<T>(
  stage: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
  deadline: number,
  now: () => Date,
): Promise<T> {
  for (let delay = 1000; ; delay = Math.min(delay * 2, 16_000)) {
    try {
      return await stage();
    } catch (error) {
      if (!mendable(error) || now().getTime() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

/**
 * Deletes a discarded member's resources, one stage per run: its mount targets; once they are
 * gone, its file system; then its security group (EC2 refuses while the mount targets'
 * interfaces hold it). Forgets the member when nothing is left.
 *
 * @returns whether the member is gone
 */
async function tearDown(deps: WarmPoolDependencies, member: PoolMember): Promise<boolean> {
  const fileSystem = await findOwnFileSystem(deps.efs, member.id);
  if (fileSystem?.FileSystemId) {
    // Never a file system a volume took (the pool tag is taken off first): its data.
    if (fileSystemTag(fileSystem, POOL_TAG) === undefined) {
      throw new Error(`file system ${fileSystem.FileSystemId} is no longer the pool's`);
    }
    const targets = await listMountTargets(deps.efs, fileSystem.FileSystemId);
    if (targets.length > 0) {
      await startDeletingMountTargets(deps.efs, fileSystem.FileSystemId, {
        shared: false,
        securityGroupId: undefined,
      });
      return false;
    }
  }
  try {
    // EFS answers FileSystemInUse for a moment after the last mount target went, and EC2
    // DependencyViolation while their interfaces linger: both TransientError, the next run's.
    if (fileSystem?.FileSystemId) await deleteOwnFileSystem(deps.efs, member.id);
    await deleteSecurityGroup(deps.ec2, member.id);
  } catch (error) {
    if (errorName(error) === 'TransientError') return false;
    throw error;
  }
  await deps.pool.remove(member.id);
  return true;
}
