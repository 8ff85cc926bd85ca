import { ec2Client } from '#clients/ec2';
import { eksClient } from '#clients/eks';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { resolveCluster } from '#lib/workflow/aws-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('ResolveCluster', resolveCluster, () => ({
  eks: eksClient,
  ec2: ec2Client,
  records: volumeRecords(),
}));
