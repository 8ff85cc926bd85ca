import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { completeDeletion } from '#lib/provision/lifecycle-steps';

export const handler = stepHandler(completeDeletion, awsStepDependencies);
