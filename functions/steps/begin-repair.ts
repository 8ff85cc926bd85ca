import { efsClient } from '#clients/efs';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { beginRepair } from '#lib/repair/repair-steps';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('BeginRepair', beginRepair, () => ({
  efs: efsClient,
  records: volumeRecords(),
}));
