import type { EFSClient } from '@aws-sdk/client-efs';
import { eachAccessPoint } from '../aws/efs-listing.ts';
import {
  creatorOf,
  describeFileSystem,
  fileSystemTag,
  findOwnFileSystem,
} from '../aws/file-system.ts';
import { RECLAIM_POLICY_TAG, stackName } from '../aws/tags.ts';
import { errorName } from '../aws/transient.ts';
import { statusesWhere } from '../volume/lifecycle.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeRecordStore } from '../volume/record.ts';
import type { FileSystemDisposal, StepState } from './state.ts';

export type { FileSystemDisposal } from './state.ts';

/**
 * Whether the disposal keeps the volume's own file system (and so its mount targets and the
 * security group they carry): a file system that is gone is not kept.
 */
export function keepsOwnFileSystem(disposal: FileSystemDisposal, volumeId: string): boolean {
  return disposal.keptBecause !== null && disposal.creatorVolumeId === volumeId;
}

/** Statuses in which a volume no longer uses its file system: its access point is gone for good. */
const ENDED = statusesWhere('usesFileSystem', false);

/** Access points EFS no longer serves: they keep nothing. */
const GONE_STATES = new Set(['deleting', 'deleted']);

/** Every live access point on the file system that is not the volume's, across pages. */
export async function otherAccessPoints(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<string[]> {
  const others: string[] = [];
  try {
    await eachAccessPoint(
      efs,
      (point) => {
        const mine = point.Tags?.some((tag) => tag.Key === VOLUME_ID_TAG && tag.Value === volumeId);
        if (!mine && point.AccessPointId && !GONE_STATES.has(point.LifeCycleState ?? ''))
          others.push(point.AccessPointId);
      },
      fileSystemId,
    );
  } catch (error) {
    if (errorName(error) !== 'FileSystemNotFound') throw error;
  }
  return others.sort();
}

/** The file system whose parts deletion acts on: the shared one named, the recorded one, or the own one. */
export async function fileSystemIdOf(
  state: StepState,
  deps: { readonly efs: EFSClient },
): Promise<string | undefined> {
  return (
    state.spec.fileSystemId ??
    state.resources?.fileSystemId ??
    (await findOwnFileSystem(deps.efs, state.volumeId))?.FileSystemId
  );
}

const kept = (
  fileSystemId: string,
  creatorVolumeId: string | undefined,
  keptBecause: string,
  otherAccessPointIds: readonly string[] = [],
): FileSystemDisposal => ({
  fileSystemId,
  remove: false,
  creatorVolumeId: creatorVolumeId ?? null,
  keptBecause,
  otherAccessPointIds,
});

/** The file system goes, with its mount targets and its creator's security group. */
const removed = (fileSystemId: string, creatorVolumeId: string): FileSystemDisposal => ({
  fileSystemId,
  remove: true,
  creatorVolumeId,
  keptBecause: null,
  otherAccessPointIds: [],
});

/**
 * Decides, from a fresh look at the file system and its access points, whether a deleted (or
 * rolled back) volume's file system goes. The rule, in order:
 * 1. a file system that holds any access point other than this volume's is kept, with its
 *    mount targets and security group, whoever created it and whatever its reclaim policy;
 * 2. one this stack did not create (a shared file system of someone else's) is never deleted;
 * 3. the volume's own file system goes unless the volume, once READY, asked to Retain it
 *    (`keepsOwn`);
 * 4. another volume's file system, whose last access point this was, goes only if its
 *    creator asked for `Delete` (the file system's `efs-volumes:reclaim-policy` tag, written
 *    at creation so the choice outlives the creator's record) and the creator no longer uses it.
 *
 * Call it after this volume's access point is deleted: of two volumes deleted at once, the
 * later one to list sees neither access point, so the file system is not left behind.
 */
export async function decideFileSystemDisposal(
  state: StepState,
  deps: { readonly efs: EFSClient; readonly records: Pick<VolumeRecordStore, 'get'> },
  keepsOwn: boolean,
): Promise<FileSystemDisposal> {
  const fileSystemId = await fileSystemIdOf(state, deps);
  if (!fileSystemId) {
    return {
      fileSystemId: null,
      remove: false,
      creatorVolumeId: null,
      keptBecause: null,
      otherAccessPointIds: [],
    };
  }
  const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
  if (!fileSystem) {
    return {
      fileSystemId,
      remove: false,
      creatorVolumeId: state.spec.fileSystemId ? null : state.volumeId,
      keptBecause: null,
      otherAccessPointIds: [],
    };
  }
  const creator = creatorOf(fileSystem, stackName());
  const others = await otherAccessPoints(deps.efs, fileSystemId, state.volumeId);
  if (others.length > 0) {
    return kept(
      fileSystemId,
      creator,
      `file system ${fileSystemId} still holds access points of other volumes: ${others.join(', ')}`,
      others,
    );
  }
  if (!creator) {
    return kept(
      fileSystemId,
      undefined,
      `file system ${fileSystemId} was not created by this service`,
    );
  }
  if (creator === state.volumeId) {
    if (keepsOwn) {
      return kept(
        fileSystemId,
        creator,
        `reclaimPolicy Retain: file system ${fileSystemId} keeps its data`,
      );
    }
    return removed(fileSystemId, creator);
  }
  const policy = fileSystemTag(fileSystem, RECLAIM_POLICY_TAG);
  if (policy !== 'Delete') {
    return kept(
      fileSystemId,
      creator,
      `volume ${creator}, which created file system ${fileSystemId}, ${policy ? `asked to ${policy} it` : 'recorded no reclaim policy on it'}`,
    );
  }
  const creatorRecord = await deps.records.get(creator);
  if (creatorRecord && !ENDED.includes(creatorRecord.status)) {
    return kept(
      fileSystemId,
      creator,
      `volume ${creator}, which created file system ${fileSystemId}, is ${creatorRecord.status}`,
    );
  }
  return removed(fileSystemId, creator);
}
