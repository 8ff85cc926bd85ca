import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { beginRollback } from '#lib/provision/lifecycle-steps';

export const handler = stepHandler(beginRollback, awsStepDependencies);
