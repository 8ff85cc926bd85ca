import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LIFECYCLE_SOURCE, type LifecycleDetailType } from '../functions/lib/events/lifecycle.ts';

/** The detail-type of the request events functions/lib/events/provision-requested.ts handles. */
export const PROVISION_REQUESTED_DETAIL_TYPE = 'Volume Provision Requested';

/**
 * PutEvents on the service's bus, only with source `efs-volumes` and the detail-types the
 * function announces: a step cannot forge a request event or another step's event.
 */
export function lifecycleEventsStatement(
  bus: IEventBus,
  detailTypes: readonly LifecycleDetailType[],
): PolicyStatement {
  return new PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: {
      StringEquals: {
        'events:source': LIFECYCLE_SOURCE,
        'events:detail-type': [...detailTypes],
      },
    },
  });
}
