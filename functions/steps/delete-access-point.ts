import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { rollbackAccessPoint } from '#lib/provision/aws-steps';

export const handler = stepHandler(rollbackAccessPoint, awsStepDependencies);
