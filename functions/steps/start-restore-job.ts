import { backupClient } from '#clients/backup';
import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { serviceSettings } from '#lib/config';
import { stringSetting } from '#lib/settings';
import { startRestore } from '#lib/workflow/restore-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('StartRestoreJob', startRestore, () => ({
  backup: backupClient,
  efs: efsClient,
  records: volumeRecords(),
  settings: serviceSettings(),
  restoreRoleArn: stringSetting('RESTORE_ROLE_ARN'),
}));
