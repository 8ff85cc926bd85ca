import { backupClient } from '#clients/backup';
import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { checkRestore } from '#lib/workflow/restore-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('CheckRestoreJob', checkRestore, () => ({
  backup: backupClient,
  efs: efsClient,
  records: volumeRecords(),
}));
