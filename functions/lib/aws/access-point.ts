import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  type CreateAccessPointCommandInput,
  DeleteAccessPointCommand,
  type EFSClient,
} from '@aws-sdk/client-efs';
import { TransientError } from '../errors.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';
import { eachAccessPoint } from './efs-listing.ts';
import type { Tag } from './tags.ts';
import { hasOutcome } from './transient.ts';

/** Every access point on the file system tagged with the volume, across pages. */
async function taggedAccessPoints(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<AccessPointDescription[]> {
  const found: AccessPointDescription[] = [];
  try {
    await eachAccessPoint(
      efs,
      (point) => {
        if (point.Tags?.some((tag) => tag.Key === VOLUME_ID_TAG && tag.Value === volumeId))
          found.push(point);
      },
      fileSystemId,
    );
  } catch (error) {
    // The file system is gone (now, or between two pages): so are its access points.
    if (!hasOutcome('elasticfilesystem:DescribeAccessPoints', error, 'gone')) throw error;
  }
  return found;
}

/**
 * The tag that marks a volume's temporary access point for the restore listing (the
 * FindRestoreDirectory step): it carries the volume's tags too, so rollback's DeleteAccessPoint
 * deletes it with the volume's own, and the volume's own is never mistaken for it.
 */
export const RESTORE_LISTING_TAG: Tag = { Key: 'efs-volumes:purpose', Value: 'restore-listing' };

/**
 * The restore listing's POSIX user: not root (the file system policy grants root to root
 * access points only), and any user may list the root of a new file system (root's, 0755).
 */
export const RESTORE_LISTING_USER = 65534;

function isRestoreListing(point: AccessPointDescription): boolean {
  return (
    point.Tags?.some(
      (tag) => tag.Key === RESTORE_LISTING_TAG.Key && tag.Value === RESTORE_LISTING_TAG.Value,
    ) ?? false
  );
}

/**
 * The volume's access point on a file system, found by its volume-id tag (never the restore
 * listing's temporary one).
 */
export async function findAccessPoint(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<AccessPointDescription | undefined> {
  return (await taggedAccessPoints(efs, fileSystemId, volumeId)).find(
    (point) => !isRestoreListing(point),
  );
}

/** Every access point tagged with the volume: its own and a restore listing's left behind. */
export function volumeAccessPoints(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<AccessPointDescription[]> {
  return taggedAccessPoints(efs, fileSystemId, volumeId);
}

/**
 * The restore listing's temporary access point on a restored file system: root directory `/`
 * (it exists: nothing is created), user {@link RESTORE_LISTING_USER}, the volume's tags and
 * {@link RESTORE_LISTING_TAG}; or the one a previous attempt created (by tag, and by the
 * ClientToken, the volume id's own plus a suffix so it never meets the volume's access point).
 */
export async function ensureRestoreListingAccessPoint(
  efs: EFSClient,
  volumeId: string,
  fileSystemId: string,
  tags: readonly Tag[],
): Promise<string> {
  const existing = (await taggedAccessPoints(efs, fileSystemId, volumeId)).find(isRestoreListing);
  if (existing?.AccessPointId) return existing.AccessPointId;
  return createAccessPoint(efs, {
    ClientToken: `${volumeId}-restore-listing`,
    FileSystemId: fileSystemId,
    PosixUser: { Uid: RESTORE_LISTING_USER, Gid: RESTORE_LISTING_USER },
    RootDirectory: { Path: '/' },
    Tags: [...tags.filter((tag) => tag.Key !== RESTORE_LISTING_TAG.Key), RESTORE_LISTING_TAG],
  });
}

/**
 * CreateAccessPoint, idempotent by its ClientToken: the new access point's id, or, when EFS
 * answers that one was made with that token already (`adopt`), that one's.
 */
async function createAccessPoint(
  efs: EFSClient,
  input: CreateAccessPointCommandInput,
): Promise<string> {
  try {
    const created = await efs.send(new CreateAccessPointCommand(input));
    if (!created.AccessPointId)
      throw new TransientError('CreateAccessPoint returned no AccessPointId');
    return created.AccessPointId;
  } catch (error) {
    if (!hasOutcome('elasticfilesystem:CreateAccessPoint', error, 'adopt')) throw error;
    const id = (error as { AccessPointId?: string }).AccessPointId;
    if (!id)
      throw new TransientError('access point exists but cannot be found yet', { cause: error });
    return id;
  }
}

/** Deletes the volume's restore listing access points (there should be one); gone is done. */
export async function deleteRestoreListingAccessPoint(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<string[]> {
  const ids = (await taggedAccessPoints(efs, fileSystemId, volumeId))
    .filter(isRestoreListing)
    .flatMap((point) => (point.AccessPointId ? [point.AccessPointId] : []));
  for (const id of ids) await deleteAccessPointById(efs, id);
  return ids;
}

async function deleteAccessPointById(efs: EFSClient, id: string): Promise<void> {
  try {
    await efs.send(new DeleteAccessPointCommand({ AccessPointId: id }));
  } catch (error) {
    if (!hasOutcome('elasticfilesystem:DeleteAccessPoint', error, 'gone')) throw error;
  }
}

/**
 * Creates the access point that confines the volume to its root directory and POSIX user,
 * or returns the one a previous attempt created (by tag, and by the ClientToken).
 */
export async function ensureAccessPoint(
  efs: EFSClient,
  volumeId: string,
  fileSystemId: string,
  spec: VolumeSpec,
  tags: readonly Tag[],
): Promise<string> {
  const existing = await findAccessPoint(efs, fileSystemId, volumeId);
  if (existing?.AccessPointId) return existing.AccessPointId;
  return createAccessPoint(efs, {
    ClientToken: volumeId,
    FileSystemId: fileSystemId,
    PosixUser: {
      Uid: spec.posixUser.uid,
      Gid: spec.posixUser.gid,
      ...(spec.posixUser.secondaryGids.length > 0
        ? { SecondaryGids: spec.posixUser.secondaryGids }
        : {}),
    },
    RootDirectory: {
      Path: spec.rootDirectory.path,
      CreationInfo: {
        OwnerUid: spec.posixUser.uid,
        OwnerGid: spec.posixUser.gid,
        Permissions: spec.rootDirectory.permissions,
      },
    },
    Tags: [...tags],
  });
}

/**
 * Deletes every access point tagged with the volume (there should be one; a duplicate, or a
 * restore listing's temporary one, must not leak either); gone is done. Returns the first id,
 * when there was one.
 */
export async function deleteAccessPoint(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<string | undefined> {
  const tagged = await taggedAccessPoints(efs, fileSystemId, volumeId);
  // The volume's own first: the id this returns is the one the volume had.
  const ordered = [
    ...tagged.filter((point) => !isRestoreListing(point)),
    ...tagged.filter(isRestoreListing),
  ];
  const ids = ordered.flatMap((point) => (point.AccessPointId ? [point.AccessPointId] : []));
  for (const id of ids) await deleteAccessPointById(efs, id);
  return ids[0];
}
