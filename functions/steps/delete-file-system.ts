import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { rollbackFileSystem } from '#lib/provision/aws-steps';

export const handler = stepHandler(rollbackFileSystem, awsStepDependencies);
