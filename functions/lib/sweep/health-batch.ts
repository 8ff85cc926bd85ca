// What CheckVolumes sends CheckVolumeBatch: the records of one batch of READY volumes, as the
// sweep read them (a batch of 100 is about 150 kB, under Invoke's 6 MB), so the batch reads
// no record again.
import type { VolumeRecord } from '../volume/record.ts';

/** The event of one CheckVolumeBatch invocation. */
export interface HealthBatchEvent {
  readonly records: readonly VolumeRecord[];
}

const VOLUME_ID = /^vol-[0-9a-f]{20}$/;

/**
 * The records of a batch event.
 * @throws TypeError when the event is not a batch: no invocation but CheckVolumes' is expected
 */
export function healthBatchOf(event: unknown): readonly VolumeRecord[] {
  const records = (event as Partial<HealthBatchEvent> | null)?.records;
  if (!Array.isArray(records)) {
    throw new TypeError('a health check batch carries { records: [...] }, the volumes to check');
  }
  for (const record of records as Array<Partial<VolumeRecord> | null>) {
    if (
      typeof record?.id !== 'string' ||
      !VOLUME_ID.test(record.id) ||
      record.status !== 'READY' ||
      typeof record.clusterName !== 'string' ||
      typeof record.resources !== 'object'
    ) {
      throw new TypeError(
        `a health check batch holds READY volume records, not ${JSON.stringify(record)?.slice(0, 200)}`,
      );
    }
  }
  return records as VolumeRecord[];
}
