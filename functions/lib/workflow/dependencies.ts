import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ServiceSettings } from '../config.ts';
import type { VolumeMetrics } from '../metrics.ts';
import type { VolumeRecordStore } from '../volume/record.ts';

/** What the AWS steps need, passed in so tests and local mode can give their own. */
export interface AwsStepDependencies {
  readonly efs: EFSClient;
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly events: EventBridgeClient;
  readonly records: VolumeRecordStore;
  readonly settings: ServiceSettings;
  readonly metrics: VolumeMetrics;
}
