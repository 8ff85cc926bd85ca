import { accessPolicyFromEnvironment } from '#lib/api/access-policy';
import type { ReadDependencies } from '#lib/api/volume-access';
import { volumeRecords } from './volume-records.ts';

/** What the read-only operations need: DynamoDB alone, so their bundles carry nothing else. */
export function readDependencies(): ReadDependencies {
  return { records: volumeRecords(), policy: accessPolicyFromEnvironment() };
}
