import type { BackupClient } from '@aws-sdk/client-backup';
import {
  accessPointPathProblem,
  fileSystemArn,
  findRecoveryPoint,
  listRecoveryPoints,
  RESTORE_DIRECTORY_EXAMPLE,
  type RecoveryPointPage,
  restoredRootPath,
} from '../aws/backup.ts';
import { InvalidVolumeRequestError } from '../errors.ts';
import { problems } from '../problems/problem.ts';
import type { VolumeRecord } from '../volume/record.ts';
import type { VolumeSpec } from '../volume/request.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

/** What reading and restoring recovery points needs besides the records. */
export interface RecoveryPointDependencies extends ReadDependencies {
  readonly backup: BackupClient;
  /**
   * Where the file systems are: their ARNs name the Region and the account, as AWS Backup
   * names the resources it backs up.
   */
  readonly site: {
    readonly region: string;
    readonly accountId: string;
    readonly partition: string;
  };
}

/** The account and partition of an IAM role ARN (the stack's restore role). */
export function siteOfRoleArn(
  roleArn: string | undefined,
  region: string | undefined,
): RecoveryPointDependencies['site'] | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//.exec(roleArn ?? '');
  if (!match?.[1] || !match[2] || !region) return undefined;
  return { partition: match[1], accountId: match[2], region };
}

/**
 * The file system whose recovery points a volume may restore: one this stack created for it
 * (a volume on a shared file system has none of its own), known once CreateFileSystem ran.
 *
 * @throws ProblemError 409 `no-own-file-system`
 */
export function ownFileSystemOf(record: VolumeRecord): string {
  if (record.spec.fileSystemId !== undefined) {
    throw problems.noOwnFileSystem(
      record.id,
      `is on the shared file system ${record.spec.fileSystemId}`,
    );
  }
  const fileSystemId = record.resources.fileSystemId;
  if (!fileSystemId) throw problems.noOwnFileSystem(record.id, 'never had a file system');
  return fileSystemId;
}

/**
 * GET /volumes/{id}/recovery-points: the recovery points of the file system the volume
 * created, newest first, for a caller who may read the volume (404 otherwise).
 */
export async function listVolumeRecoveryPoints(
  deps: RecoveryPointDependencies,
  id: string,
  caller: string,
  page: { readonly limit: number; readonly nextToken?: string },
): Promise<RecoveryPointPage> {
  try {
    const record = await visibleRecord(deps, id, caller);
    const fileSystemId = ownFileSystemOf(record);
    return await listRecoveryPoints(deps.backup, fileSystemArn(fileSystemId, deps.site), page);
  } catch (error) {
    return asProblem(error);
  }
}

/**
 * A restore request's spec completed from its source: the source must be a volume the caller
 * may read (404 otherwise, as GET), on a file system this stack created for it, and the
 * recovery point one of that file system's (422 `recovery-point-unknown`). The restored
 * volume takes the source's directory, POSIX user and performance mode: the restored files
 * are where, and whose, they were.
 */
export async function restoreSpec(
  deps: RecoveryPointDependencies,
  spec: VolumeSpec,
  caller: string,
): Promise<VolumeSpec> {
  const restoreFrom = spec.restoreFrom;
  if (!restoreFrom) return spec;
  const source = await visibleRecord(deps, restoreFrom.volumeId, caller);
  const fileSystemId = ownFileSystemOf(source);
  const point = await findRecoveryPoint(
    deps.backup,
    fileSystemArn(fileSystemId, deps.site),
    restoreFrom.recoveryPointArn,
  );
  if (!point) {
    throw problems.recoveryPointUnknown(restoreFrom.recoveryPointArn, source.id, fileSystemId);
  }
  const restoredPath = restoredRootPath(RESTORE_DIRECTORY_EXAMPLE, source.spec.rootDirectory.path);
  const problem = accessPointPathProblem(restoredPath);
  if (problem) {
    throw new InvalidVolumeRequestError(`invalid volume request: restoreFrom ${problem}`, [
      { field: 'restoreFrom', message: problem },
    ]);
  }
  return {
    ...spec,
    posixUser: source.spec.posixUser,
    rootDirectory: source.spec.rootDirectory,
    performanceMode: source.spec.performanceMode,
    throughputMode: source.spec.throughputMode,
    ...(source.spec.provisionedThroughputInMibps !== undefined
      ? { provisionedThroughputInMibps: source.spec.provisionedThroughputInMibps }
      : {}),
    restoreFrom: { ...restoreFrom, fileSystemId },
  };
}
