import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { DeleteAccessPointCommand, type EFSClient } from '@aws-sdk/client-efs';
import { allAccessPoints, allFileSystems } from '../aws/efs-listing.ts';
import { deleteOwnFileSystem } from '../aws/file-system.ts';
import { listMountTargets, startDeletingMountTargets } from '../aws/mount-targets.ts';
import { STACK_TAG, stackName } from '../aws/tags.ts';
import { errorName } from '../aws/transient.ts';
import { statusesWhere } from '../volume/lifecycle.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import {
  retainsFileSystem,
  type VolumeRecord,
  type VolumeRecordStore,
  type VolumeStatus,
} from '../volume/record.ts';

/**
 * Statuses after which nothing of a volume should exist but what it retained on purpose: at
 * rest, and no longer using its file system (functions/lib/volume/lifecycle.ts).
 */
const TERMINAL = statusesWhere('settled').filter((status) =>
  statusesWhere('usesFileSystem', false).includes(status),
);

export interface OrphanResource {
  readonly type: 'FileSystem' | 'MountTarget' | 'AccessPoint' | 'SecurityGroup';
  readonly id: string;
  readonly volumeId: string;
  /** `no-record`: the volume's record is gone; else the record's terminal status. */
  readonly reason: 'no-record' | VolumeStatus;
}

export interface SweepReport {
  readonly orphans: readonly OrphanResource[];
  readonly deleted: readonly OrphanResource[];
  readonly failed: ReadonlyArray<OrphanResource & { readonly error: string }>;
}

export interface SweepOptions {
  /**
   * Only resources tagged `efs-volumes:stack` with this stack's name are candidates: two
   * stacks (or a test run's files) in one account never sweep each other's resources, and a
   * resource without the tag is nobody's to delete. @default STACK_NAME (stackName())
   */
  readonly stack?: string;
  /** Delete what is found. @default false: report only */
  readonly delete?: boolean;
  /** How long to wait for mount targets to go before deleting a file system. @default 300 s */
  readonly mountTargetTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Tags = ReadonlyArray<{ Key?: string; Value?: string }> | undefined;

/** The volume a resource of `stack` belongs to; undefined for another stack's or no one's. */
function volumeIdOf(tags: Tags, stack: string): string | undefined {
  if (tags?.find((tag) => tag.Key === STACK_TAG)?.Value !== stack) return undefined;
  return tags?.find((tag) => tag.Key === VOLUME_ID_TAG)?.Value;
}

/**
 * Finds the AWS resources this service tagged whose volume record is gone or terminal,
 * leaving out what a volume keeps on purpose (its recorded retain decision, or what a
 * DELETED volume lists as retained) and a file system that still holds an access point the
 * sweep does not remove (with its mount targets and group), and deletes them when asked:
 * access points, then mount targets (waiting for them to go), file systems, security groups.
 * Volumes still PENDING, PROVISIONING, READY, ROLLING_BACK or DELETING are never touched.
 */
export async function sweepOrphans(
  deps: { efs: EFSClient; ec2: EC2Client; records: VolumeRecordStore },
  options: SweepOptions = {},
): Promise<SweepReport> {
  const stack = options.stack ?? stackName();
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const records = new Map<string, VolumeRecord | undefined>();
  const verdict = async (
    volumeId: string,
    id: string,
    type: OrphanResource['type'],
  ): Promise<OrphanResource['reason'] | undefined> => {
    if (!records.has(volumeId)) records.set(volumeId, await deps.records.get(volumeId));
    const record = records.get(volumeId);
    // A warm pool member's resources are made under a volume id no volume has yet.
    if (!record) return (await deps.records.pool().get(volumeId)) ? undefined : 'no-record';
    if (!TERMINAL.includes(record.status)) return undefined;
    if (record.retained?.some((resource) => resource.id === id)) return undefined;
    // A volume that keeps its file system (Retain, or shared) keeps it in every status,
    // DELETE_FAILED included: the file system with what it needs to be mounted again.
    if (type !== 'AccessPoint' && retainsFileSystem(record)) return undefined;
    return record.status;
  };

  const orphans: OrphanResource[] = [];
  const fileSystems = await allFileSystems(deps.efs);
  for (const fileSystem of fileSystems) {
    const volumeId = volumeIdOf(fileSystem.Tags, stack);
    const id = fileSystem.FileSystemId;
    if (!volumeId || !id) continue;
    const reason = await verdict(volumeId, id, 'FileSystem');
    if (!reason) continue;
    orphans.push({ type: 'FileSystem', id, volumeId, reason });
    for (const target of await listMountTargets(deps.efs, id)) {
      if (target.MountTargetId)
        orphans.push({ type: 'MountTarget', id: target.MountTargetId, volumeId, reason });
    }
  }
  const accessPoints = await allAccessPoints(deps.efs);
  for (const point of accessPoints) {
    const volumeId = volumeIdOf(point.Tags, stack);
    if (!volumeId || !point.AccessPointId) continue;
    const reason = await verdict(volumeId, point.AccessPointId, 'AccessPoint');
    if (reason) orphans.push({ type: 'AccessPoint', id: point.AccessPointId, volumeId, reason });
  }
  // The deletion rule (provision/file-system-disposal.ts): a file system that holds an access
  // point the sweep does not remove (a live volume's, or anyone else's) is kept, with its
  // mount targets and the security group they carry.
  const doomedPoints = new Set(
    orphans.filter((orphan) => orphan.type === 'AccessPoint').map((orphan) => orphan.id),
  );
  const inUse = new Set<string>();
  for (const point of accessPoints) {
    if (point.FileSystemId && point.AccessPointId && !doomedPoints.has(point.AccessPointId))
      inUse.add(point.FileSystemId);
  }
  const keptVolumes = new Set(
    orphans
      .filter((orphan) => orphan.type === 'FileSystem' && inUse.has(orphan.id))
      .map((orphan) => orphan.volumeId),
  );
  for (let index = orphans.length - 1; index >= 0; index -= 1) {
    const orphan = orphans[index];
    if (orphan && orphan.type !== 'AccessPoint' && keptVolumes.has(orphan.volumeId))
      orphans.splice(index, 1);
  }
  const { SecurityGroups = [] } = await deps.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [VOLUME_ID_TAG] }] }),
  );
  for (const group of SecurityGroups) {
    const volumeId = volumeIdOf(group.Tags, stack);
    if (!volumeId || !group.GroupId || keptVolumes.has(volumeId)) continue;
    const reason = await verdict(volumeId, group.GroupId, 'SecurityGroup');
    if (reason) orphans.push({ type: 'SecurityGroup', id: group.GroupId, volumeId, reason });
  }
  if (!options.delete) return { orphans, deleted: [], failed: [] };

  const deleted: OrphanResource[] = [];
  const failed: Array<OrphanResource & { error: string }> = [];
  const attempt = async (resource: OrphanResource, remove: () => Promise<unknown>) => {
    try {
      await remove();
      deleted.push(resource);
    } catch (error) {
      failed.push({ ...resource, error: `${errorName(error)}: ${(error as Error).message}` });
    }
  };
  for (const resource of orphans.filter((orphan) => orphan.type === 'AccessPoint')) {
    await attempt(resource, () =>
      deps.efs.send(new DeleteAccessPointCommand({ AccessPointId: resource.id })),
    );
  }
  for (const resource of orphans.filter((orphan) => orphan.type === 'FileSystem')) {
    const targets = orphans.filter(
      (orphan) => orphan.type === 'MountTarget' && orphan.volumeId === resource.volumeId,
    );
    await attempt(resource, async () => {
      await startDeletingMountTargets(deps.efs, resource.id, {
        shared: false,
        securityGroupId: undefined,
      });
      const deadline = Date.now() + (options.mountTargetTimeoutMs ?? 300_000);
      while ((await listMountTargets(deps.efs, resource.id)).length > 0) {
        if (Date.now() > deadline)
          throw new Error(`mount targets of ${resource.id} did not go in time`);
        await sleep(5000);
      }
      deleted.push(...targets);
      await deleteFileSystemById(deps.efs, resource);
    });
  }
  for (const resource of orphans.filter((orphan) => orphan.type === 'SecurityGroup')) {
    await attempt(resource, async () => {
      try {
        await deps.ec2.send(new DeleteSecurityGroupCommand({ GroupId: resource.id }));
      } catch (error) {
        if (errorName(error) !== 'InvalidGroup.NotFound') throw error;
      }
    });
  }
  return { orphans, deleted, failed };
}

/** A file system found by its tag: delete it through its own CreationToken path when it is ours. */
async function deleteFileSystemById(efs: EFSClient, resource: OrphanResource): Promise<void> {
  const deletedId = await deleteOwnFileSystem(efs, resource.volumeId);
  if (deletedId !== resource.id) {
    throw new Error(
      `file system ${resource.id} carries volume ${resource.volumeId}'s tag but not its CreationToken`,
    );
  }
}
