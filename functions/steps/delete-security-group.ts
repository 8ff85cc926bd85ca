import { ec2Client } from '#clients/ec2';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { rollbackSecurityGroup } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('DeleteSecurityGroup', rollbackSecurityGroup, () => ({
  ec2: ec2Client,
  records: volumeRecords(),
}));
