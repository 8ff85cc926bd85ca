import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { checkMountTargets } from '#lib/provision/aws-steps';

export const handler = stepHandler(checkMountTargets, awsStepDependencies);
