import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import { loadedAtFirstSend } from '#clients/loaded-at-first-send';
import { serviceSettings } from '#lib/config';
import type { RecordedCheckDependencies } from '#lib/health/record-health';
import { volumeRecords } from './volume-records.ts';

// Only a check that finds a volume newly DRIFTED puts an event: the bus's client loads then.
const eventsAtFirstSend = loadedAtFirstSend<EventBridgeClient>(
  async () => (await import('#clients/eventbridge')).eventBridgeClient,
);

/**
 * What a recorded health check needs: read-only EKS, EC2 and EFS clients, the Kubernetes
 * reader, the records and the bus. No Step Functions client: a check never starts anything.
 */
export function healthCheckDependencies(): RecordedCheckDependencies {
  return {
    eks: eksClient,
    ec2: ec2Client,
    efs: efsClient,
    kubernetes: kubernetesReaderFor,
    records: volumeRecords(),
    events: eventsAtFirstSend,
    eventBusName: serviceSettings().eventBusName,
  };
}
