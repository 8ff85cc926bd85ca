import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { eventBridgeClient } from '#clients/eventbridge';
import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import { sfnClient } from '#clients/sfn';
import { describeCluster } from '#lib/aws/cluster';
import { serviceSettings } from '#lib/config';
import { stringSetting } from '#lib/settings';
import type { SettleDependencies } from '#lib/settle/settle-execution';
import { volumeRecords } from './volume-records.ts';

/**
 * What settling a volume its execution left in between needs: the records, the clients that
 * look for leftovers, Step Functions, the bus, and a read-only view of the volume's cluster.
 * The settlement handler and the scheduled check (for stuck PENDING volumes) share it.
 */
export function settleDependencies(): SettleDependencies {
  return {
    records: volumeRecords(),
    efs: efsClient,
    ec2: ec2Client,
    sfn: sfnClient,
    events: eventBridgeClient,
    kubernetes: async (clusterName) =>
      kubernetesReaderFor(await describeCluster(eksClient, clusterName)),
    settings: {
      eventBusName: serviceSettings().eventBusName,
      provisionStateMachineArn: stringSetting('PROVISION_STATE_MACHINE_ARN') ?? '',
      deprovisionStateMachineArn: stringSetting('DEPROVISION_STATE_MACHINE_ARN') ?? '',
      // Unset where no repair is settled (the scheduled check settles provisioning only):
      // repair executions are then none of its business.
      repairStateMachineArn: stringSetting('REPAIR_STATE_MACHINE_ARN'),
    },
  };
}
