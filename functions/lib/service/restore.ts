import type { BackupClient } from '@aws-sdk/client-backup';
import type { EFSClient } from '@aws-sdk/client-efs';
import {
  accessPointPathProblem,
  describeRecoveryPoint,
  EFS_AUTOMATIC_BACKUP_VAULT,
  fileSystemArn,
  fileSystemIdOfArn,
  findRecoveryPoint,
  listRecoveryPoints,
  RESTORE_DIRECTORY_EXAMPLE,
  type RecoveryPointPage,
} from '../aws/backup.ts';
import { describeFileSystem, fileSystemTag } from '../aws/file-system.ts';
import type { ResourceSite } from '../aws/resource-site.ts';
import { restoredRootPath } from '../aws/restore-directory.ts';
import { InvalidVolumeRequestError } from '../errors.ts';
import { problems } from '../problems/problem.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeRecord } from '../volume/record.ts';
import type { VolumeSpec } from '../volume/request.ts';
import { authorize } from './access-policy.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

/** What reading and restoring recovery points needs besides the records. */
export interface RecoveryPointDependencies extends ReadDependencies {
  readonly backup: BackupClient;
  /** Where the file systems are (their ARNs name the Region and the account). */
  readonly site: ResourceSite;
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

/** What a restore needs besides the recovery points: EFS, to read a file system's volume tag. */
export interface RestoreDependencies extends RecoveryPointDependencies {
  readonly efs: EFSClient;
}

/** The volume a restore restores, and the file system of its the recovery point was taken of. */
interface RestoreSource {
  readonly record: VolumeRecord;
  readonly fileSystemId: string;
}

/**
 * The source a request names (`restoreFrom.volumeId`): a volume the caller may read (404
 * otherwise, as GET), on a file system this stack created for it (409), of which the recovery
 * point is one, in any vault (ListRecoveryPointsByResource, every page). Otherwise 422:
 * `recovery-point-mismatch` when the recovery point is in EFS's automatic backup vault but of
 * another file system, `recovery-point-unknown` when it is not found there either.
 */
async function namedSource(
  deps: RestoreDependencies,
  volumeId: string,
  recoveryPointArn: string,
  caller: string,
): Promise<RestoreSource> {
  const record = await visibleRecord(deps, volumeId, caller);
  const fileSystemId = ownFileSystemOf(record);
  const ownArn = fileSystemArn(fileSystemId, deps.site);
  if (await findRecoveryPoint(deps.backup, ownArn, recoveryPointArn)) {
    return { record, fileSystemId };
  }
  // Only on a refusal: which one it is.
  const origin = await describeRecoveryPoint(deps.backup, recoveryPointArn);
  if (origin?.resourceArn === ownArn) return { record, fileSystemId };
  if (origin) throw problems.recoveryPointMismatch(recoveryPointArn, record.id, fileSystemId);
  throw problems.recoveryPointUnknown(recoveryPointArn, record.id, fileSystemId);
}

/**
 * The source of a request that names only the recovery point: the volume whose file system
 * it was taken of. AWS Backup tells the file system (DescribeRecoveryPoint, in EFS's automatic
 * backup vault: the ARN names no vault; 422 `recovery-point-unknown` when it is not there), the
 * file system's `efs-volumes:volume-id` tag the volume, and the volume's record must name that
 * file system as its own. A file system gone, untagged, or no readable volume's own is
 * answered 404 alike, so the answer does not tell which volumes exist.
 */
async function sourceOfRecoveryPoint(
  deps: RestoreDependencies,
  recoveryPointArn: string,
  caller: string,
): Promise<RestoreSource> {
  const origin = await describeRecoveryPoint(deps.backup, recoveryPointArn);
  if (!origin) throw problems.recoveryPointNotInVault(recoveryPointArn, EFS_AUTOMATIC_BACKUP_VAULT);
  const notFound = problems.restoreSourceNotFound(recoveryPointArn);
  const fileSystemId = fileSystemIdOfArn(origin.resourceArn);
  // Of a file system in this account and Region, as the stack's are.
  if (!fileSystemId || origin.resourceArn !== fileSystemArn(fileSystemId, deps.site)) {
    throw notFound;
  }
  const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
  const volumeId = fileSystem && fileSystemTag(fileSystem, VOLUME_ID_TAG);
  const record = volumeId ? await deps.records.get(volumeId) : undefined;
  if (!record || !authorize(deps.policy, caller, record.clusterName, record.namespace).allowed) {
    throw notFound;
  }
  // A tag anyone may put: only the record says whose file system it is.
  if (ownFileSystemOf(record) !== fileSystemId) throw notFound;
  return { record, fileSystemId };
}

/**
 * A restore request's spec completed from its source: the volume the request names, or, with
 * only `recoveryPointArn`, the volume whose file system the recovery point was taken of
 * ({@link namedSource}, {@link sourceOfRecoveryPoint}). The restored volume takes the
 * source's directory, POSIX user and performance mode: the restored files are where, and
 * whose, they were.
 */
export async function restoreSpec(
  deps: RestoreDependencies,
  spec: VolumeSpec,
  caller: string,
): Promise<VolumeSpec> {
  const restoreFrom = spec.restoreFrom;
  if (!restoreFrom) return spec;
  const { recoveryPointArn } = restoreFrom;
  // request.ts leaves '' where the request named no volume.
  const { record: source, fileSystemId } = restoreFrom.volumeId
    ? await namedSource(deps, restoreFrom.volumeId, recoveryPointArn, caller)
    : await sourceOfRecoveryPoint(deps, recoveryPointArn, caller);
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
    restoreFrom: { recoveryPointArn, volumeId: source.id, fileSystemId },
  };
}
