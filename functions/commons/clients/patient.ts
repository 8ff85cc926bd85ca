import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

/**
 * Clients for work nobody waits on (a batch of the scheduled check): a fleet's checks draw on
 * the account's EFS, EKS and EC2 read rates together, so a throttled read waits and tries
 * again, up to 8 attempts with the SDK's backoff (up to 20 s), and adaptive mode slows the
 * client down while it is throttled, where the API's clients give up after 3 to answer in time.
 */
const patient = { ...withTimeouts(), maxAttempts: 8, retryMode: 'adaptive' } as const;

export const patientEfsClient = traceable(new EFSClient(patient));
export const patientEksClient = traceable(new EKSClient(patient));
export const patientEc2Client = traceable(new EC2Client(patient));
