// The restored access point's path, without AWS Backup's client: the plan of every create
// shows it, and a module that imported @aws-sdk/client-backup would load it at each cold start.

/** What a plan shows for the restore directory, whose name only the restored file system shows. */
export const RESTORE_DIRECTORY_PLACEHOLDER = '/aws-backup-restore_<time>';

/**
 * The access point's root directory on a restored file system: the source volume's path
 * under the directory AWS Backup restored into.
 */
export function restoredRootPath(restoreDirectory: string, sourcePath: string): string {
  return `${restoreDirectory}${sourcePath}`;
}
