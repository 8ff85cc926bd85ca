import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { resolveCluster } from '#lib/provision/aws-steps';

export const handler = stepHandler(resolveCluster, awsStepDependencies);
