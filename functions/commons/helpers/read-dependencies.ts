import { documentClient } from '#clients/dynamodb';
import { accessPolicyFromEnvironment } from '#lib/api/access-policy';
import type { ReadDependencies } from '#lib/api/volume-access';
import { serviceSettings } from '#lib/config';
import { VolumeRecordStore } from '#lib/volume/record';

/** What the read-only operations need: DynamoDB alone, so their bundles carry nothing else. */
export function readDependencies(): ReadDependencies {
  return {
    records: new VolumeRecordStore(documentClient, serviceSettings().volumesTable),
    policy: accessPolicyFromEnvironment(),
  };
}
