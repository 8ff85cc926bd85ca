import { serviceSettings } from '#lib/config';
import { kubernetesApi } from '#lib/kube/client';
import type { KubeStepDependencies } from '#lib/provision/kube-steps';
import { volumeRecords } from './volume-records.ts';

/** The Kubernetes steps' dependencies in Lambda: tokens signed with the function's role. */
export function kubeStepDependencies(): KubeStepDependencies {
  const settings = serviceSettings();
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    records: volumeRecords(),
    settings,
    kubernetes: (cluster) => kubernetesApi(cluster, region),
  };
}
