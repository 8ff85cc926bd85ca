import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { rollbackFileSystem } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('DeleteFileSystem', rollbackFileSystem, () => ({
  efs: efsClient,
  records: volumeRecords(),
}));
