import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { createMountTargets } from '#lib/provision/aws-steps';

export const handler = stepHandler(createMountTargets, awsStepDependencies);
