import { documentClient } from '#clients/dynamodb';
import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { eventBridgeClient } from '#clients/eventbridge';
import { serviceSettings } from '#lib/config';
import type { AwsStepDependencies } from '#lib/provision/dependencies';
import { VolumeRecordStore } from '#lib/volume/record';

/** The AWS steps' dependencies in Lambda: the module-level clients and the environment. */
export function awsStepDependencies(): AwsStepDependencies {
  const settings = serviceSettings();
  return {
    efs: efsClient,
    ec2: ec2Client,
    eks: eksClient,
    events: eventBridgeClient,
    records: new VolumeRecordStore(documentClient, settings.volumesTable),
    settings,
  };
}
