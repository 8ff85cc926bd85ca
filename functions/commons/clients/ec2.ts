import { EC2Client } from '@aws-sdk/client-ec2';

// Created once per module so warm Lambdas reuse connections. The endpoint comes from
// AWS_ENDPOINT_URL when set (local mode: moto), as with every SDK client.
export const ec2Client = new EC2Client({});
