// AWS Backup, for a volume's file system: its recovery points, and a restore to a new file
// system. docs/api.md "Restore" says which AWS facts this rests on.
import {
  type BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByResourceCommand,
  type RecoveryPointByResource,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { RestoreFailedError, TransientError } from '../errors.ts';
import { MAX_PATH_DEPTH, MAX_PATH_LENGTH } from '../volume/request.ts';
import { errorName } from './transient.ts';

/** A recovery point as the API shows it. */
export interface RecoveryPoint {
  readonly recoveryPointArn: string;
  readonly createdAt: string;
  readonly status: string;
  readonly backupVaultName?: string;
  readonly backupSizeBytes?: number;
}

/** One page of a file system's recovery points, newest first. */
export interface RecoveryPointPage {
  readonly items: RecoveryPoint[];
  readonly nextToken?: string;
}

/** The ARN of a file system, as AWS Backup names the resource it backs up. */
export function fileSystemArn(
  fileSystemId: string,
  site: { readonly region: string; readonly accountId: string; readonly partition?: string },
): string {
  return `arn:${site.partition ?? 'aws'}:elasticfilesystem:${site.region}:${site.accountId}:file-system/${fileSystemId}`;
}

function recoveryPointOf(point: RecoveryPointByResource): RecoveryPoint | undefined {
  if (!point.RecoveryPointArn) return undefined;
  return {
    recoveryPointArn: point.RecoveryPointArn,
    createdAt: (point.CreationDate ?? new Date(0)).toISOString(),
    status: point.Status ?? 'UNKNOWN',
    ...(point.BackupVaultName ? { backupVaultName: point.BackupVaultName } : {}),
    ...(point.BackupSizeBytes !== undefined ? { backupSizeBytes: point.BackupSizeBytes } : {}),
  };
}

/** Newest first: AWS Backup does not promise an order, the API does. */
function newestFirst(a: RecoveryPoint, b: RecoveryPoint): number {
  return (
    b.createdAt.localeCompare(a.createdAt) || a.recoveryPointArn.localeCompare(b.recoveryPointArn)
  );
}

/**
 * One page of a file system's recovery points (ListRecoveryPointsByResource, which answers for
 * a deleted file system too: its recovery points outlive it), sorted newest first within the
 * page; `nextToken` is AWS Backup's, passed through.
 */
export async function listRecoveryPoints(
  backup: BackupClient,
  resourceArn: string,
  page: { readonly limit: number; readonly nextToken?: string },
): Promise<RecoveryPointPage> {
  const answer = await backup.send(
    new ListRecoveryPointsByResourceCommand({
      ResourceArn: resourceArn,
      MaxResults: page.limit,
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    }),
  );
  const items = (answer.RecoveryPoints ?? [])
    .map(recoveryPointOf)
    .filter((point): point is RecoveryPoint => point !== undefined)
    .sort(newestFirst);
  return { items, ...(answer.NextToken ? { nextToken: answer.NextToken } : {}) };
}

/** The recovery point, if it is one of the file system's (all its pages are read). */
export async function findRecoveryPoint(
  backup: BackupClient,
  resourceArn: string,
  recoveryPointArn: string,
): Promise<RecoveryPoint | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await listRecoveryPoints(backup, resourceArn, {
      limit: 100,
      ...(nextToken ? { nextToken } : {}),
    });
    const found = page.items.find((point) => point.recoveryPointArn === recoveryPointArn);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * The vault EFS's automatic backups go to (`backup: true`): EFS makes it and names it so. A
 * recovery point's ARN does not name its vault, and DescribeRecoveryPoint needs one.
 */
export const EFS_AUTOMATIC_BACKUP_VAULT = 'aws/efs/automatic-backup-vault';

/** What AWS Backup says a recovery point was taken of. */
export interface RecoveryPointOrigin {
  /** The resource backed up: for EFS, the file system's ARN. */
  readonly resourceArn: string | undefined;
  /** `EFS` for a file system's. */
  readonly resourceType: string | undefined;
  readonly backupVaultName: string;
}

/**
 * The resource a recovery point in `backupVaultName` was taken of (DescribeRecoveryPoint);
 * undefined when the vault holds no recovery point of that ARN. AWS Backup answers that with
 * ResourceNotFoundException, and an ARN it cannot read as one with
 * InvalidParameterValueException (botocore's model of DescribeRecoveryPoint, backup
 * 2018-11-15); ServiceUnavailableException is transient, anything else is thrown.
 *
 * @default backupVaultName EFS_AUTOMATIC_BACKUP_VAULT
 */
export async function describeRecoveryPoint(
  backup: BackupClient,
  recoveryPointArn: string,
  backupVaultName: string = EFS_AUTOMATIC_BACKUP_VAULT,
): Promise<RecoveryPointOrigin | undefined> {
  try {
    const point = await backup.send(
      new DescribeRecoveryPointCommand({
        BackupVaultName: backupVaultName,
        RecoveryPointArn: recoveryPointArn,
      }),
    );
    return {
      resourceArn: point.ResourceArn,
      resourceType: point.ResourceType,
      backupVaultName: point.BackupVaultName ?? backupVaultName,
    };
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException' || name === 'InvalidParameterValueException') {
      return undefined;
    }
    throw error;
  }
}

/** What a restore to a new file system needs besides the recovery point. */
export interface RestoreTarget {
  /** The new volume's id: the restore's idempotency token and the file system's CreationToken. */
  readonly volumeId: string;
  /** The file system the recovery point is of (`file-system-id` of the EFS restore metadata). */
  readonly sourceFileSystemId: string;
  readonly performanceMode: string;
  /** The stack's EFS key; AWS's own key for EFS when absent. */
  readonly kmsKeyId: string | undefined;
  /** The role AWS Backup restores as (the stack's restore role). */
  readonly iamRoleArn: string;
}

/**
 * The restore metadata of an EFS recovery point restored whole to a new, encrypted file
 * system (the keys AWS Backup documents for EFS: restoring-efs.html#efs-restore-cli). The
 * CreationToken is the volume id, so the restored file system is found as a created one is.
 */
export function efsRestoreMetadata(target: RestoreTarget): Record<string, string> {
  return {
    'file-system-id': target.sourceFileSystemId,
    newFileSystem: 'true',
    Encrypted: 'true',
    ...(target.kmsKeyId ? { KmsKeyId: target.kmsKeyId } : {}),
    PerformanceMode: target.performanceMode,
    CreationToken: target.volumeId,
  };
}

/** Starts the restore job; a retry with the same volume id gets the same job back. */
export async function startRestoreJob(
  backup: BackupClient,
  recoveryPointArn: string,
  target: RestoreTarget,
): Promise<string> {
  const { RestoreJobId } = await backup.send(
    new StartRestoreJobCommand({
      RecoveryPointArn: recoveryPointArn,
      Metadata: efsRestoreMetadata(target),
      IamRoleArn: target.iamRoleArn,
      IdempotencyToken: target.volumeId,
      ResourceType: 'EFS',
    }),
  );
  if (!RestoreJobId) throw new TransientError('StartRestoreJob returned no RestoreJobId');
  return RestoreJobId;
}

/** Where a restore job is: running, or done with the file system it made. */
export type RestoreProgress =
  | { readonly done: false; readonly status: string }
  | { readonly done: true; readonly fileSystemId: string };

/** The file system id at the end of a file system's ARN. */
export function fileSystemIdOfArn(arn: string | undefined): string | undefined {
  const match = /:file-system\/(fs-[0-9a-f]+)$/.exec(arn ?? '');
  return match?.[1];
}

/**
 * The longest restore directory AWS is known to write, `/aws-backup-restore_<time>` to the
 * nanosecond (a name from AWS's own reports): checks measure a restored path with it. The
 * real name is found on the restored file system (the FindRestoreDirectory step); no API
 * returns it.
 */
export const RESTORE_DIRECTORY_EXAMPLE = '/aws-backup-restore_2025-03-28T14-13-02-250589632Z';

/** Why EFS would refuse the path as an access point's root; undefined when it would not. */
export function accessPointPathProblem(path: string): string | undefined {
  if (path.length > MAX_PATH_LENGTH) {
    return `would mount ${path}, over the ${MAX_PATH_LENGTH} characters EFS allows an access point's root directory`;
  }
  if (path.split('/').length - 1 > MAX_PATH_DEPTH) {
    return `would mount ${path}, deeper than the ${MAX_PATH_DEPTH} directories EFS allows an access point's root directory`;
  }
  return undefined;
}

/** A restore job's status: PENDING and RUNNING wait, COMPLETED is done, FAILED and ABORTED fail. */
export const RESTORE_JOB_STATUS_OUTCOMES: Readonly<Record<string, 'wait' | 'ready' | 'failed'>> = {
  PENDING: 'wait',
  RUNNING: 'wait',
  COMPLETED: 'ready',
  FAILED: 'failed',
  ABORTED: 'failed',
};

/**
 * One look at the restore job.
 *
 * @throws RestoreFailedError when it FAILED or was ABORTED, with the file system it may have
 *   created (rollback deletes it)
 */
export async function readRestoreJob(
  backup: BackupClient,
  restoreJobId: string,
): Promise<RestoreProgress> {
  const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
  const status = job.Status ?? 'PENDING';
  const outcome = RESTORE_JOB_STATUS_OUTCOMES[status] ?? 'wait';
  const fileSystemId = fileSystemIdOfArn(job.CreatedResourceArn);
  if (outcome === 'failed') {
    throw new RestoreFailedError(
      `restore job ${restoreJobId} ${status}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`,
      fileSystemId,
    );
  }
  if (outcome === 'wait') return { done: false, status };
  if (!fileSystemId) {
    throw new TransientError(`restore job ${restoreJobId} is COMPLETED without a file system yet`);
  }
  return { done: true, fileSystemId };
}
