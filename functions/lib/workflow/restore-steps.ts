// The restore steps of provisioning (`restoreFrom`): AWS Backup restores the recovery point to
// a new file system, which the state machine waits for; CreateFileSystem then takes it as the
// volume's own, and the usual steps follow.
import type { BackupClient } from '@aws-sdk/client-backup';
import { type EFSClient, TagResourceCommand } from '@aws-sdk/client-efs';
import { readRestoreJob, startRestoreJob } from '../aws/backup.ts';
import { RECLAIM_POLICY_TAG, type Tag, volumeTags } from '../aws/tags.ts';
import type { ServiceSettings } from '../config.ts';
import { RestoreFailedError, RestoreTimeoutError } from '../errors.ts';
import type { VolumeRecordStore } from '../volume/record.ts';
import { PROVISIONING_STEP, runStep } from './run-step.ts';
import type { RestoreWait, StepState } from './state.ts';

/** What the restore steps need. */
export interface RestoreStepDependencies {
  readonly backup: BackupClient;
  readonly efs: EFSClient;
  readonly records: VolumeRecordStore;
  readonly settings: Pick<ServiceSettings, 'kmsKeyId'>;
  /** The role AWS Backup restores as (RESTORE_ROLE_ARN, the stack's restore role). */
  readonly restoreRoleArn: string | undefined;
}

/**
 * Seconds between looks at a restore job. AWS Backup gives no completion time up front; a
 * small file system's restore takes minutes, so a look every 30 s costs a few transitions.
 */
export const RESTORE_POLL_SECONDS = 30;

/**
 * Looks before giving up: 60 at 30 s, half an hour, so the restore, the mount targets (up to
 * about 80 minutes) and a rollback stay within the execution's 7,200 s.
 */
export const RESTORE_MAX_CHECKS = 60;

function restoreOf(state: StepState) {
  const restoreFrom = state.spec.restoreFrom;
  if (!restoreFrom) throw new Error('state has no restoreFrom: the state machine is miswired');
  return restoreFrom;
}

/** The tags of the volume's file system, as CreateFileSystem puts them on a created one. */
export function restoredFileSystemTags(state: StepState): Tag[] {
  return [
    ...volumeTags(state.volumeId, state.spec),
    { Key: RECLAIM_POLICY_TAG, Value: state.spec.reclaimPolicy },
  ];
}

/**
 * Starts AWS Backup's restore of the recovery point to a new, encrypted file system whose
 * CreationToken is the volume id, as the stack's restore role. The volume id is the job's
 * idempotency token: a retried step gets the same job.
 */
export function startRestore(
  state: StepState,
  deps: RestoreStepDependencies,
): Promise<{ restoreJobId: string }> {
  return runStep(
    deps.records,
    state.volumeId,
    'StartRestoreJob',
    async () => {
      const restoreFrom = restoreOf(state);
      if (!deps.restoreRoleArn) {
        throw new Error('RESTORE_ROLE_ARN is unset: the stack sets it for this step');
      }
      const restoreJobId = await startRestoreJob(deps.backup, restoreFrom.recoveryPointArn, {
        volumeId: state.volumeId,
        sourceFileSystemId: restoreFrom.fileSystemId,
        performanceMode: state.spec.performanceMode,
        kmsKeyId: deps.settings.kmsKeyId,
        iamRoleArn: deps.restoreRoleArn,
      });
      return { result: { restoreJobId }, resources: { restoreJobId } };
    },
    PROVISIONING_STEP,
  );
}

/**
 * Tags the file system the restore made as the volume's (AWS Backup restores none of the
 * source's tags unless asked): rollback and deletion find and delete it as one the volume
 * created, by its CreationToken (the volume id) and these tags.
 */
async function claimRestoredFileSystem(
  efs: EFSClient,
  fileSystemId: string,
  tags: readonly Tag[],
): Promise<void> {
  await efs.send(new TagResourceCommand({ ResourceId: fileSystemId, Tags: [...tags] }));
}

/**
 * One look at the restore job. Not done: the state machine waits RESTORE_POLL_SECONDS and
 * looks again. Done: the restored file system is tagged as the volume's, and the result names
 * it (the directory AWS Backup restored into is found on it later: FindRestoreDirectory).
 *
 * @throws RestoreFailedError when the job FAILED or was ABORTED; a file system it made is
 *   tagged first, so rollback deletes it
 * @throws RestoreTimeoutError after RESTORE_MAX_CHECKS looks
 */
export function checkRestore(
  state: StepState,
  deps: Pick<RestoreStepDependencies, 'backup' | 'efs' | 'records'>,
): Promise<RestoreWait> {
  return runStep<RestoreWait>(
    deps.records,
    state.volumeId,
    'CheckRestoreJob',
    async () => {
      const restoreJobId = state.restoreJob?.restoreJobId;
      if (!restoreJobId) throw new Error('state has no restoreJob: the state machine is miswired');
      const checks = (state.restoreWait?.checks ?? 0) + 1;
      let progress: Awaited<ReturnType<typeof readRestoreJob>>;
      try {
        progress = await readRestoreJob(deps.backup, restoreJobId);
      } catch (error) {
        if (error instanceof RestoreFailedError && error.fileSystemId) {
          await claimRestoredFileSystem(
            deps.efs,
            error.fileSystemId,
            restoredFileSystemTags(state),
          );
        }
        throw error;
      }
      if (!progress.done) {
        if (checks >= RESTORE_MAX_CHECKS) {
          throw new RestoreTimeoutError(
            `restore job ${restoreJobId} still ${progress.status} after ${checks} checks`,
          );
        }
        return { result: { done: false, waitSeconds: RESTORE_POLL_SECONDS, checks } };
      }
      await claimRestoredFileSystem(deps.efs, progress.fileSystemId, restoredFileSystemTags(state));
      return {
        result: { done: true, waitSeconds: 0, checks, fileSystemId: progress.fileSystemId },
      };
    },
    PROVISIONING_STEP,
  );
}
