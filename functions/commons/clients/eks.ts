import { EKSClient } from '@aws-sdk/client-eks';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module so warm Lambdas reuse connections. The endpoint comes from
// AWS_ENDPOINT_URL when set (local mode: moto), as with every SDK client.
export const eksClient = traceable(new EKSClient(withTimeouts()));
