import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { checkClaimBound } from '#lib/provision/kube-steps';

export const handler = stepHandler('CheckClaimBound', checkClaimBound, kubeStepDependencies);
