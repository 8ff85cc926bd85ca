import type { EFSClient } from '@aws-sdk/client-efs';
import { creatorOf, describeFileSystem } from '../aws/file-system.ts';
import { describeFileSystemPolicy } from '../aws/file-system-policy.ts';
import { fileSystemPolicyGaps } from '../aws/file-system-policy-gaps.ts';
import { errorName } from '../aws/transient.ts';
import { type ProblemError, problems } from '../problems/problem.ts';
import { SHAREABLE_TAG_KEY, SHAREABLE_TAG_VALUE } from './access-policy.ts';

const missing = (fileSystemId: string) =>
  problems.forbidden(`file system ${fileSystemId} does not exist in this account and region`);

/**
 * Why a file system named by `fileSystemId` may not be shared, or undefined when it may. It
 * must exist and carry `efs-volumes:shareable` = `true`: the tag is the file system owner's
 * consent, and what the API role's IAM conditions on access points of shared file systems
 * check too; ACCESS_POLICY's `sharedFileSystems` is the operator's. Both are needed.
 *
 * A file system this stack did not create must also be closed to anonymous clients by its
 * owner's policy (TLS required, no root or root mount without an access point;
 * {@link fileSystemPolicyGaps}), or posixIds and the root directory confine nothing: any pod
 * that reaches a mount target could mount `/` as root. One this stack created carries the
 * service's own policy (the workflow puts it before the first mount target), so it is not read.
 *
 * @param stack this stack's name, which a file system this stack created is tagged with
 * @returns 403 `forbidden` (missing or not shareable) or 403 `shared-file-system-open`
 */
export async function sharedFileSystemProblem(
  efs: EFSClient,
  fileSystemId: string,
  stack: string,
): Promise<ProblemError | undefined> {
  const fileSystem = await describeFileSystem(efs, fileSystemId);
  if (!fileSystem) return missing(fileSystemId);
  const shareable = (fileSystem.Tags ?? []).some(
    (tag) => tag.Key === SHAREABLE_TAG_KEY && tag.Value === SHAREABLE_TAG_VALUE,
  );
  if (!shareable) {
    return problems.forbidden(
      `file system ${fileSystemId} is not tagged ${SHAREABLE_TAG_KEY}=${SHAREABLE_TAG_VALUE}: its owner has not made it shareable`,
    );
  }
  if (creatorOf(fileSystem, stack)) return undefined;
  let policy: string | undefined;
  try {
    policy = await describeFileSystemPolicy(efs, fileSystemId);
  } catch (error) {
    // Deleted since it was described: as if it never was.
    if (errorName(error) === 'FileSystemNotFound') return missing(fileSystemId);
    throw error;
  }
  const gaps = fileSystemPolicyGaps(policy, fileSystem.FileSystemArn ?? '');
  return gaps.length > 0 ? problems.sharedFileSystemOpen(fileSystemId, gaps) : undefined;
}
