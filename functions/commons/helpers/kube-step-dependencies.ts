import { eksClient } from '#clients/eks';
import { describeCluster } from '#lib/aws/cluster';
import { serviceSettings } from '#lib/config';
import { kubernetesApi } from '#lib/kube/client';
import type { KubeStepDependencies } from '#lib/workflow/kube-steps';
import { volumeRecords } from './volume-records.ts';

/**
 * The Kubernetes steps' dependencies in Lambda: the cluster's endpoint and CA from
 * eks:DescribeCluster at every call, tokens signed with the function's role.
 */
export function kubeStepDependencies(): KubeStepDependencies {
  const settings = serviceSettings();
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    records: volumeRecords(),
    settings,
    kubernetes: async (clusterName) =>
      kubernetesApi(await describeCluster(eksClient, clusterName), region),
  };
}
