import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { kubernetesApi } from '#lib/kube/client';
import { recordDeletionFailure } from '#lib/provision/lifecycle-steps';
import type { ProvisionState } from '#lib/provision/state';

const region = process.env.AWS_REGION ?? 'us-east-1';

export const handler = stepHandler(
  async (state: ProvisionState, deps: ReturnType<typeof awsStepDependencies>) => {
    const kubernetes = state.cluster
      ? await kubernetesApi(state.cluster, region).catch(() => undefined)
      : undefined;
    return recordDeletionFailure(state, deps, kubernetes);
  },
  awsStepDependencies,
);
