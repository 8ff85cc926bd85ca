import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { checkClaimBound } from '#lib/workflow/kube-steps';

export const handler = stepHandler('CheckClaimBound', checkClaimBound, kubeStepDependencies);
