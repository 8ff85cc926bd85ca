import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { rollbackSecurityGroup } from '#lib/provision/aws-steps';

export const handler = stepHandler(rollbackSecurityGroup, awsStepDependencies);
