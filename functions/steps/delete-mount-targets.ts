import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { rollbackMountTargets } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('DeleteMountTargets', rollbackMountTargets, () => ({
  efs: efsClient,
  ec2: ec2Client,
  records: volumeRecords(),
}));
