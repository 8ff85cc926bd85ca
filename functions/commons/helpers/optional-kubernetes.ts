import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import { describeCluster } from '#lib/aws/cluster';
import type { KubernetesReader } from '#lib/kube/read-client';
import type { AwsStepDependencies } from '#lib/workflow/dependencies';
import type { StepState } from '#lib/workflow/state';

/**
 * For the steps that record a failure: the AWS dependencies plus, when the workflow resolved
 * the cluster and it is reachable, a read-only view of its Kubernetes API at the endpoint
 * eks:DescribeCluster gives now (undefined otherwise: the step then says it could not check).
 * Reads go over node:https, so these bundles carry no Kubernetes client.
 */
export function withOptionalKubernetes<R>(
  step: (
    state: StepState,
    deps: AwsStepDependencies,
    kubernetes: KubernetesReader | undefined,
  ) => Promise<R>,
) {
  return async (state: StepState, deps: AwsStepDependencies): Promise<R> => {
    const kubernetes = state.cluster
      ? await describeCluster(deps.eks, state.spec.clusterName)
          .then(kubernetesReaderFor)
          .catch(() => undefined)
      : undefined;
    return step(state, deps, kubernetes);
  };
}
