import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../errors.ts';
import type { VolumeRecord } from './record.ts';

/** The `source` of every event this service puts. */
export const LIFECYCLE_SOURCE = 'efs-volumes';

export type LifecycleDetailType =
  | 'Volume Ready'
  | 'Volume Provisioning Failed'
  | 'Volume Deleted'
  | 'Volume Deletion Failed'
  | 'Volume Request Rejected'
  /** A health check found a READY volume DRIFTED, and the check before had not. */
  | 'Volume Drifted'
  /** A repair ended with the volume HEALTHY. */
  | 'Volume Repaired'
  /** A repair could not finish, or left the volume DRIFTED. */
  | 'Volume Repair Failed';

/**
 * Puts one lifecycle event on the bus. A rejected entry is a TransientError, so the step
 * that puts it is retried rather than the event silently lost.
 */
export async function putLifecycleEvent(
  client: EventBridgeClient,
  busName: string,
  detailType: LifecycleDetailType,
  detail: Record<string, unknown>,
): Promise<void> {
  const result = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: busName,
          Source: LIFECYCLE_SOURCE,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  if ((result.FailedEntryCount ?? 0) > 0) {
    const entry = result.Entries?.[0];
    throw new TransientError(
      `EventBridge refused the ${detailType} event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
    );
  }
}

/** The `detail` of a volume's lifecycle event: enough to act on without calling the API. */
function volumeDetail(record: VolumeRecord): Record<string, unknown> {
  return {
    volumeId: record.id,
    status: record.status,
    clusterName: record.clusterName,
    namespace: record.namespace,
    name: record.name,
    resources: record.resources,
    ...(record.error ? { error: record.error } : {}),
    ...(record.rollbackError ? { rollbackError: record.rollbackError } : {}),
    ...(record.leftovers ? { leftovers: record.leftovers } : {}),
    ...(record.retained ? { retained: record.retained } : {}),
  };
}

/**
 * Puts the lifecycle event of one volume: its detail is the record as it now is (ids,
 * status, resources, and the failure, leftovers or retained resources it records), plus
 * `extra` where an event carries more (a health check's findings, a repair's outcome).
 * Every workflow, the settlement and the health check announce a volume this one way.
 *
 * @throws TransientError when the bus refuses the event
 */
export async function putVolumeEvent(
  client: EventBridgeClient,
  busName: string,
  detailType: LifecycleDetailType,
  record: VolumeRecord,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await putLifecycleEvent(client, busName, detailType, { ...volumeDetail(record), ...extra });
}

/** The bus as the workflow steps and the settlement know it: their client and settings. */
export interface LifecycleBus {
  readonly events: EventBridgeClient;
  readonly settings: { readonly eventBusName: string };
}

/** {@link putVolumeEvent} on the bus named in `deps.settings`. */
export async function announceVolume(
  deps: LifecycleBus,
  detailType: LifecycleDetailType,
  record: VolumeRecord,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await putVolumeEvent(deps.events, deps.settings.eventBusName, detailType, record, extra);
}
