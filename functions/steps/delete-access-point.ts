import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { rollbackAccessPoint } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('DeleteAccessPoint', rollbackAccessPoint, () => ({
  efs: efsClient,
  records: volumeRecords(),
}));
