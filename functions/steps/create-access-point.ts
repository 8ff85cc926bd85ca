import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { createAccessPoint } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('CreateAccessPoint', createAccessPoint, () => ({
  efs: efsClient,
  records: volumeRecords(),
}));
