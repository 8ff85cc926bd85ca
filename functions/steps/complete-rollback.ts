import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { completeRollback } from '#lib/provision/lifecycle-steps';

export const handler = stepHandler(completeRollback, awsStepDependencies);
