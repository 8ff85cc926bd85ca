import { accessPolicyFromEnvironment } from '#lib/service/access-policy';
import type { ReadDependencies } from '#lib/service/volume-access';
import { volumeRecords } from './volume-records.ts';

/** What the read-only operations need: DynamoDB alone, so their bundles carry nothing else. */
export function readDependencies(): ReadDependencies {
  return { records: volumeRecords(), policy: accessPolicyFromEnvironment() };
}
