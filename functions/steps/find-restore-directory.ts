import { efsClient } from '#clients/efs';
import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { findRestoreDirectory } from '#lib/workflow/find-restore-directory';

// A Kubernetes step's dependencies and EFS, for the listing's temporary access point.
export const handler = stepHandler('FindRestoreDirectory', findRestoreDirectory, () => ({
  ...kubeStepDependencies(),
  efs: efsClient,
}));
