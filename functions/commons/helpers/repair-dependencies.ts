import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import type { RepairDependencies } from '#lib/repair/repair-steps';
import { awsStepDependencies } from './step-dependencies.ts';

/**
 * The steps that end a repair: every AWS client, and a read-only view of the cluster's
 * Kubernetes API for the health check (over node:https: no Kubernetes client in the bundle),
 * with a token signed by the function's own credentials.
 */
export function repairDependencies(): RepairDependencies {
  return {
    ...awsStepDependencies(),
    kubernetes: kubernetesReaderFor,
  };
}
