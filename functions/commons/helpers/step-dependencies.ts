import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { eventBridgeClient } from '#clients/eventbridge';
import { serviceSettings } from '#lib/config';
import type { AwsStepDependencies } from '#lib/workflow/dependencies';
import { volumeMetrics } from '#powertools/metrics';
import { volumeRecords } from './volume-records.ts';

/** Every AWS client: for the steps that look for leftovers of every kind. */
export function awsStepDependencies(): AwsStepDependencies {
  const settings = serviceSettings();
  return {
    efs: efsClient,
    ec2: ec2Client,
    eks: eksClient,
    events: eventBridgeClient,
    records: volumeRecords(),
    settings,
    metrics: volumeMetrics,
  };
}
