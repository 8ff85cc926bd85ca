import {
  type AccessPointDescription,
  CreateAccessPointCommand,
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

/** The volume's access point on a file system, found by its volume-id tag. */
export async function findAccessPoint(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<AccessPointDescription | undefined> {
  return (await taggedAccessPoints(efs, fileSystemId, volumeId))[0];
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
  try {
    const created = await efs.send(
      new CreateAccessPointCommand({
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
      }),
    );
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

/**
 * Deletes every access point tagged with the volume (there should be one; a duplicate must
 * not leak either); gone is done. Returns the first id, when there was one.
 */
export async function deleteAccessPoint(
  efs: EFSClient,
  fileSystemId: string,
  volumeId: string,
): Promise<string | undefined> {
  const ids = (await taggedAccessPoints(efs, fileSystemId, volumeId)).flatMap((point) =>
    point.AccessPointId ? [point.AccessPointId] : [],
  );
  for (const id of ids) {
    try {
      await efs.send(new DeleteAccessPointCommand({ AccessPointId: id }));
    } catch (error) {
      if (!hasOutcome('elasticfilesystem:DeleteAccessPoint', error, 'gone')) throw error;
    }
  }
  return ids[0];
}
