import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { createAccessPoint } from '#lib/provision/aws-steps';

export const handler = stepHandler(createAccessPoint, awsStepDependencies);
