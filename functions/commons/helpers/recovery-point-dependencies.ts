import { siteOfRoleArn } from '#lib/aws/resource-site';
import type { RecoveryPointDependencies } from '#lib/service/restore';
import { stringSetting } from '#lib/settings';

/** AWS Backup and where the file systems are. */
export type RecoveryPoints = Pick<RecoveryPointDependencies, 'backup' | 'site'>;

/**
 * Loads AWS Backup and where the file systems are (the restore role's account and partition,
 * the functions' Region), or undefined where RESTORE_ROLE_ARN is unset. The Backup client is
 * loaded at the first call, not at the cold start: of the operations that may reach it, only a
 * restore and the list of recovery points do.
 */
export function recoveryPointDependencies(): (() => Promise<RecoveryPoints>) | undefined {
  const site = siteOfRoleArn(stringSetting('RESTORE_ROLE_ARN'), process.env.AWS_REGION);
  if (!site) return undefined;
  return async () => ({ backup: (await import('#clients/backup')).backupClient, site });
}
