import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { createSecurityGroup } from '#lib/provision/aws-steps';

export const handler = stepHandler(createSecurityGroup, awsStepDependencies);
