import {
  CreateMountTargetCommand,
  DeleteMountTargetCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  type EFSClient,
  type MountTargetDescription,
} from '@aws-sdk/client-efs';
import { MountTargetFailedError } from '../errors.ts';
import { type ClusterNetwork, subnetPerZone } from './cluster.ts';
import { assertFileSystemAvailable } from './file-system.ts';
import { errorName, hasOutcome, notYetVisible } from './transient.ts';

export async function listMountTargets(
  efs: EFSClient,
  fileSystemId: string,
): Promise<MountTargetDescription[]> {
  try {
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    return MountTargets;
  } catch (error) {
    if (errorName(error) === 'FileSystemNotFound') return [];
    throw error;
  }
}

export interface MountTargetsResult {
  /** Every mount target the cluster's zones use, ours or already there. */
  readonly mountTargetIds: string[];
  /** Those this volume created (and so may delete). */
  readonly createdMountTargetIds: string[];
  /** Those this call created (a retry's, or a warm pool member's earlier ones, are not). */
  readonly createdNow?: string[];
  /**
   * When every one of `mountTargetIds` existed (ISO 8601): the end of the step that created
   * them, no earlier than any of their creations. AWS's DNS delay counts from here.
   */
  readonly createdAt?: string;
}

/**
 * Makes sure the file system has a mount target in every Availability Zone of the cluster,
 * creating the missing ones with the volume's security group. Zones that already have one
 * (a retry, or a shared file system) are left as they are.
 *
 * @throws FileSystemNotReadyError while the file system is not yet `available`
 */
export async function ensureMountTargets(
  efs: EFSClient,
  fileSystemId: string,
  cluster: ClusterNetwork,
  securityGroupId: string,
  options: { shared?: boolean } = {},
): Promise<MountTargetsResult> {
  await assertFileSystemAvailable(efs, fileSystemId);
  const existing = await listMountTargets(efs, fileSystemId);
  const zonesCovered = new Set(existing.map((target) => target.AvailabilityZoneName));
  if (options.shared) {
    // A shared file system is someone else's: its mount targets must already be there.
    const missing = subnetPerZone(cluster)
      .map((subnet) => subnet.availabilityZone)
      .filter((zone) => !zonesCovered.has(zone));
    if (missing.length > 0) {
      throw new MountTargetFailedError(
        `file system ${fileSystemId} has no mount target in ${missing.join(', ')}: create them (allowing NFS from the cluster) first`,
      );
    }
  }
  // Zone → the mount target created in it now: EFS is eventually consistent, so a mount
  // target just created may be missing from the listing below for a moment.
  const created = new Map<string, string>();
  for (const subnet of subnetPerZone(cluster)) {
    if (zonesCovered.has(subnet.availabilityZone)) continue;
    try {
      const target = await efs.send(
        new CreateMountTargetCommand({
          FileSystemId: fileSystemId,
          SubnetId: subnet.subnetId,
          SecurityGroups: [securityGroupId],
        }),
      );
      if (target.MountTargetId) created.set(subnet.availabilityZone, target.MountTargetId);
    } catch (error) {
      // The volume's group, made by the step before, may not be known to EC2 yet.
      if (hasOutcome('elasticfilesystem:CreateMountTarget', error, 'unseen'))
        throw notYetVisible('elasticfilesystem:CreateMountTarget', error);
      // A concurrent attempt created this zone's mount target first: it is ours all the same.
      if (errorName(error) !== 'MountTargetConflict') throw error;
    }
  }
  const zones = new Set(subnetPerZone(cluster).map((subnet) => subnet.availabilityZone));
  const all = (await listMountTargets(efs, fileSystemId)).filter(
    (target) =>
      zones.has(target.AvailabilityZoneName ?? '') &&
      !created.has(target.AvailabilityZoneName ?? ''),
  );
  const uncovered = [...zones].filter(
    (zone) => !created.has(zone) && !all.some((target) => target.AvailabilityZoneName === zone),
  );
  if (uncovered.length > 0) {
    // MountTargetConflict also means "another VPC": the zone would be silently unreachable.
    throw new MountTargetFailedError(
      `no mount target in ${uncovered.join(', ')} of the cluster's VPC`,
    );
  }
  // Those created now carry the volume's group; of the others, ask. Ids in zone order.
  const ids = [...zones].flatMap((zone) => {
    const id =
      created.get(zone) ??
      all.find((target) => target.AvailabilityZoneName === zone)?.MountTargetId;
    return id ? [id] : [];
  });
  const ours = new Set([
    ...created.values(),
    ...(await mountTargetsWithGroup(efs, all, securityGroupId, { deletingCounts: false })),
  ]);
  return {
    mountTargetIds: ids,
    createdMountTargetIds: ids.filter((id) => ours.has(id)),
    createdNow: [...created.values()],
  };
}

/**
 * A mount target's security groups; `gone` once it no longer exists; `deleting` when EFS will
 * not say because it is being deleted (DescribeMountTargetSecurityGroups declares 409
 * IncorrectMountTargetState, which a mount target in its deleting window answers).
 */
async function securityGroupsOf(
  efs: EFSClient,
  mountTargetId: string,
): Promise<readonly string[] | 'gone' | 'deleting'> {
  try {
    const { SecurityGroups = [] } = await efs.send(
      new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mountTargetId }),
    );
    return SecurityGroups;
  } catch (error) {
    if (errorName(error) === 'MountTargetNotFound') return 'gone';
    if (errorName(error) === 'IncorrectMountTargetState') return 'deleting';
    throw error;
  }
}

/**
 * The mount targets that carry the security group. One being deleted, whose groups EFS will
 * not tell, counts when `deletingCounts`: a deprovision waits for it to be gone before it
 * deletes the group (it may be the volume's own, deleted by an earlier attempt); a provision
 * does not claim it (it is going away, whoever made it).
 */
async function mountTargetsWithGroup(
  efs: EFSClient,
  targets: readonly MountTargetDescription[],
  securityGroupId: string,
  options: { deletingCounts: boolean },
): Promise<string[]> {
  const ids: string[] = [];
  for (const target of targets) {
    if (!target.MountTargetId) continue;
    const groups = await securityGroupsOf(efs, target.MountTargetId);
    const carries =
      groups === 'deleting'
        ? options.deletingCounts
        : groups !== 'gone' && groups.includes(securityGroupId);
    if (carries) ids.push(target.MountTargetId);
  }
  return ids;
}

export interface MountTargetsReadiness {
  readonly ready: boolean;
  readonly states: Record<string, string>;
}

/**
 * Reads the state of the given mount targets. Ready when all are `available`. With
 * `missingIsPending`, one not listed yet is not ready rather than gone: EFS is eventually
 * consistent, and a mount target created a moment ago may be missing from DescribeMountTargets.
 *
 * @throws MountTargetFailedError when one is in `error` or has gone
 */
export async function readMountTargets(
  efs: EFSClient,
  fileSystemId: string,
  mountTargetIds: readonly string[],
  options: { missingIsPending?: boolean } = {},
): Promise<MountTargetsReadiness> {
  const targets = await listMountTargets(efs, fileSystemId);
  const states: Record<string, string> = {};
  for (const id of mountTargetIds) {
    const state =
      targets.find((target) => target.MountTargetId === id)?.LifeCycleState ?? 'missing';
    states[id] = state;
    if (state === 'missing' && options.missingIsPending) continue;
    if (state === 'error' || state === 'deleted' || state === 'deleting' || state === 'missing') {
      throw new MountTargetFailedError(`mount target ${id} is ${state}`);
    }
  }
  return { ready: Object.values(states).every((state) => state === 'available'), states };
}

/**
 * Starts deleting mount targets: on a file system this volume created, all of them; on a
 * shared one, only those carrying the volume's security group. Returns the ids deleted.
 */
export async function startDeletingMountTargets(
  efs: EFSClient,
  fileSystemId: string,
  options: { shared: boolean; securityGroupId: string | undefined },
): Promise<string[]> {
  const targets = await listMountTargets(efs, fileSystemId);
  let doomed = targets.flatMap((target) => (target.MountTargetId ? [target.MountTargetId] : []));
  if (options.shared) {
    doomed = options.securityGroupId
      ? await mountTargetsWithGroup(efs, targets, options.securityGroupId, { deletingCounts: true })
      : [];
  }
  const states = new Map(targets.map((target) => [target.MountTargetId, target.LifeCycleState]));
  for (const id of doomed) {
    if (states.get(id) === 'deleting' || states.get(id) === 'deleted') continue;
    try {
      await efs.send(new DeleteMountTargetCommand({ MountTargetId: id }));
    } catch (error) {
      if (errorName(error) !== 'MountTargetNotFound') throw error;
    }
  }
  return doomed;
}

/** True when none of the given mount targets exist any more. */
export async function mountTargetsGone(
  efs: EFSClient,
  fileSystemId: string,
  mountTargetIds: readonly string[],
): Promise<boolean> {
  const remaining = new Set(
    (await listMountTargets(efs, fileSystemId)).map((target) => target.MountTargetId),
  );
  return mountTargetIds.every((id) => !remaining.has(id));
}
