import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { checkMountTargetsDeleted } from '#lib/provision/aws-steps';

export const handler = stepHandler(checkMountTargetsDeleted, awsStepDependencies);
