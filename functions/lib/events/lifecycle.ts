import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../errors.ts';

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
