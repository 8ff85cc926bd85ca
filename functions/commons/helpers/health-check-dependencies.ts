import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { eventBridgeClient } from '#clients/eventbridge';
import { serviceSettings } from '#lib/config';
import type { RecordedCheckDependencies } from '#lib/health/record-health';
import { KubernetesReader } from '#lib/kube/read-client';
import { volumeRecords } from './volume-records.ts';

/**
 * What a recorded health check needs: read-only EKS, EC2 and EFS clients, the Kubernetes
 * reader, the records and the bus. No Step Functions client: a check never starts anything.
 */
export function healthCheckDependencies(): RecordedCheckDependencies {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    eks: eksClient,
    ec2: ec2Client,
    efs: efsClient,
    // The token is signed with the function's own credentials, those its SDK clients use.
    kubernetes: (cluster) =>
      KubernetesReader.connect(cluster, region, eksClient.config.credentials),
    records: volumeRecords(),
    events: eventBridgeClient,
    eventBusName: serviceSettings().eventBusName,
  };
}
