import { backupClient } from '#clients/backup';
import type { RecoveryPointDependencies } from '#lib/service/restore';
import { siteOfRoleArn } from '#lib/service/restore';
import { stringSetting } from '#lib/settings';

/**
 * AWS Backup and where the file systems are (the restore role's account and partition, the
 * functions' Region); undefined where RESTORE_ROLE_ARN is unset.
 */
export function recoveryPointDependencies():
  | Pick<RecoveryPointDependencies, 'backup' | 'site'>
  | undefined {
  const site = siteOfRoleArn(stringSetting('RESTORE_ROLE_ARN'), process.env.AWS_REGION);
  return site ? { backup: backupClient, site } : undefined;
}
