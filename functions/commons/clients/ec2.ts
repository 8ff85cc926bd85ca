import { EC2Client } from '@aws-sdk/client-ec2';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module so warm Lambdas reuse connections. The endpoint comes from
// AWS_ENDPOINT_URL when set (local mode: moto), as with every SDK client.
export const ec2Client = traceable(new EC2Client(withTimeouts()));
