import type { EFSClient } from '@aws-sdk/client-efs';
import { describeFileSystem } from '../aws/file-system.ts';
import { SHAREABLE_TAG_KEY, SHAREABLE_TAG_VALUE } from './access-policy.ts';

/**
 * Why a file system named by `fileSystemId` may not be shared, or undefined when it may: it must
 * exist and carry `efs-volumes:shareable` = `true`. The tag is the file system owner's consent,
 * and what the API role's IAM conditions on access points of shared file systems check too;
 * ACCESS_POLICY's `sharedFileSystems` is the operator's. Both are needed.
 */
export async function shareableFileSystemProblem(
  efs: EFSClient,
  fileSystemId: string,
): Promise<string | undefined> {
  const fileSystem = await describeFileSystem(efs, fileSystemId);
  if (!fileSystem) return `file system ${fileSystemId} does not exist in this account and region`;
  const shareable = (fileSystem.Tags ?? []).some(
    (tag) => tag.Key === SHAREABLE_TAG_KEY && tag.Value === SHAREABLE_TAG_VALUE,
  );
  if (shareable) return undefined;
  return `file system ${fileSystemId} is not tagged ${SHAREABLE_TAG_KEY}=${SHAREABLE_TAG_VALUE}: its owner has not made it shareable`;
}
