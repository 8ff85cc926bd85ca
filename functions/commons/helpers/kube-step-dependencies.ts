import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { documentClient } from '#clients/dynamodb';
import { serviceSettings } from '#lib/config';
import { kubernetesApi } from '#lib/kube/client';
import type { AwsStepDependencies } from '#lib/provision/dependencies';
import type { KubeStepDependencies } from '#lib/provision/kube-steps';
import type { ProvisionState } from '#lib/provision/state';
import { VolumeRecordStore } from '#lib/volume/record';

/** The Kubernetes steps' dependencies in Lambda: tokens signed with the function's role. */
export function kubeStepDependencies(): KubeStepDependencies {
  const settings = serviceSettings();
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    records: new VolumeRecordStore(documentClient, settings.volumesTable),
    settings,
    kubernetes: (cluster) => kubernetesApi(cluster, region),
  };
}

/**
 * For the steps that record a failure: the AWS dependencies plus, when the cluster is known
 * and reachable, its Kubernetes API (undefined otherwise: the step says it could not check).
 */
export function withOptionalKubernetes<R>(
  step: (
    state: ProvisionState,
    deps: AwsStepDependencies,
    kubernetes: KubernetesObjectApi | undefined,
  ) => Promise<R>,
) {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return async (state: ProvisionState, deps: AwsStepDependencies): Promise<R> => {
    const kubernetes = state.cluster
      ? await kubernetesApi(state.cluster, region).catch(() => undefined)
      : undefined;
    return step(state, deps, kubernetes);
  };
}
