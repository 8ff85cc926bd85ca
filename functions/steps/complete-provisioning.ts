import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { completeProvisioning } from '#lib/provision/lifecycle-steps';

export const handler = stepHandler(completeProvisioning, awsStepDependencies);
