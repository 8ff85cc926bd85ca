import { kubeStepDependencies } from '#helpers/kube-step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { applyManifests } from '#lib/workflow/kube-steps';

export const handler = stepHandler('ApplyManifests', applyManifests, kubeStepDependencies);
