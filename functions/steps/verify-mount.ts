import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { verifyMount } from '#lib/workflow/kube-steps';

export const handler = stepHandler('VerifyMount', verifyMount, kubeStepDependencies);
