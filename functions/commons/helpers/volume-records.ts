import { documentClient } from '#clients/dynamodb';
import { serviceSettings } from '#lib/config';
import { VolumeRecordStore } from '#lib/volume/record';

/** The volume records table named by VOLUMES_TABLE, through the module-level client. */
export function volumeRecords(): VolumeRecordStore {
  return new VolumeRecordStore(documentClient, serviceSettings().volumesTable);
}
