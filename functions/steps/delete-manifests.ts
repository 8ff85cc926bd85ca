import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { rollbackManifests } from '#lib/workflow/kube-steps';

export const handler = stepHandler('DeleteManifests', rollbackManifests, kubeStepDependencies);
