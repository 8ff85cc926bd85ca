import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  LIFECYCLE_SOURCE,
  type LifecycleDetailType,
} from '../functions/lib/volume/lifecycle-events.ts';

/** The detail-type of the request events functions/lib/events/provision-requested.ts handles. */
export const PROVISION_REQUESTED_DETAIL_TYPE = 'Volume Provision Requested';

/**
 * PutEvents on the service's bus, only with source `efs-volumes` and the detail-types the
 * function announces: a step cannot forge a request event or another step's event.
 *
 * `events:source` and `events:detail-type` are multivalued (one value per entry of the
 * request; ArrayOfString in the Service Authorization Reference): they need a set operator,
 * and a plain StringEquals never matches them. ForAllValues holds every entry to the list;
 * since it also holds when a key is absent, Null requires both keys.
 */
export function lifecycleEventsStatement(
  bus: IEventBus,
  detailTypes: readonly LifecycleDetailType[],
): PolicyStatement {
  return new PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: {
      'ForAllValues:StringEquals': {
        'events:source': [LIFECYCLE_SOURCE],
        'events:detail-type': [...detailTypes],
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    },
  });
}
