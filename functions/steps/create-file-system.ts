import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { createFileSystem } from '#lib/provision/aws-steps';

export const handler = stepHandler(createFileSystem, awsStepDependencies);
