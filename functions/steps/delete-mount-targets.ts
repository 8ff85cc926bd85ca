import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { rollbackMountTargets } from '#lib/provision/aws-steps';

export const handler = stepHandler(rollbackMountTargets, awsStepDependencies);
