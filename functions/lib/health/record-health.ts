import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { memoizeReads } from '../aws/memoized-reads.ts';
import type { VolumeRecord, VolumeRecordStore } from '../volume/record.ts';
import {
  checkVolumeHealth,
  type HealthCheckDependencies,
  ownFileSystemSize,
  type VolumeHealth,
} from './check.ts';

/** A check whose outcome is recorded and, on a change to DRIFTED, announced. */
export interface RecordedCheckDependencies extends HealthCheckDependencies {
  readonly records: VolumeRecordStore;
  readonly events: EventBridgeClient;
  readonly eventBusName: string;
}

/** What one recorded check found, and whether it raised `Volume Drifted`. */
export interface RecordedCheck {
  readonly health: VolumeHealth;
  readonly previousState: VolumeHealth['state'] | undefined;
  readonly announced: boolean;
}

/**
 * Checks a READY volume, records its health (and the metered size of the file system it owns)
 * and, when it turned DRIFTED (it was HEALTHY or
 * never checked), puts a `Volume Drifted` event. The scheduled check and `POST
 * /volumes/{id}/check` share it, so both record and announce alike.
 *
 * The event is put after the health is recorded: the record says which check saw the change,
 * so two concurrent checks announce it once. If the bus refuses the event this throws, and the
 * change stays recorded without its event (the next check sees DRIFTED already): lifecycle
 * events of this service are at most once where a record decides them.
 *
 * @throws VolumeRecordStateError when the volume is no longer READY (or a newer check won)
 */
export async function checkAndRecordHealth(
  deps: RecordedCheckDependencies,
  record: VolumeRecord,
): Promise<RecordedCheck> {
  // The size comes from the file system the check describes: one read for both.
  const reads = { ...deps, efs: memoizeReads(deps.efs) };
  const health = await checkVolumeHealth(reads, record);
  const size = await ownFileSystemSize(reads.efs, record, deps.now).catch(() => undefined);
  const previousState = await deps.records.recordHealth(record.id, health, size);
  const announced = health.state === 'DRIFTED' && previousState !== 'DRIFTED';
  if (announced) {
    // Loaded with the first drift announced: a check that finds none puts no event.
    const { putVolumeEvent } = await import('../volume/lifecycle-events.ts');
    await putVolumeEvent(deps.events, deps.eventBusName, 'Volume Drifted', record, { health });
  }
  return { health, previousState, announced };
}
