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
import { volumeMetrics } from '#powertools/metrics';
import { volumeRecords } from './volume-records.ts';

/**
 * What settling a volume its execution left in between needs: the records, the clients that
 * look for leftovers, Step Functions, the bus, and a read-only view of the volume's cluster.
 * The settlement handler and the scheduled check (for stuck PENDING volumes) share it.
 *
 * @param repairs - whether repair executions are settled here: the settlement handler's are;
 *   the scheduled check settles provisioning only, so it neither reads nor needs the repair
 *   workflow's ARN (functions/lib/settings.ts says who reads what)
 */
export function settleDependencies({ repairs }: { repairs: boolean }): SettleDependencies {
  return {
    records: volumeRecords(),
    efs: efsClient,
    ec2: ec2Client,
    sfn: sfnClient,
    events: eventBridgeClient,
    kubernetes: async (clusterName) =>
      kubernetesReaderFor(await describeCluster(eksClient, clusterName)),
    metrics: volumeMetrics,
    settings: {
      eventBusName: serviceSettings().eventBusName,
      provisionStateMachineArn: stringSetting('PROVISION_STATE_MACHINE_ARN') ?? '',
      deprovisionStateMachineArn: stringSetting('DEPROVISION_STATE_MACHINE_ARN') ?? '',
      repairStateMachineArn: repairs ? stringSetting('REPAIR_STATE_MACHINE_ARN') : undefined,
    },
  };
}
