import { LambdaClient } from '@aws-sdk/client-lambda';
import { traceable } from '#powertools/client-tracing';
import { AWS_CLIENT_TIMEOUTS } from './timeouts.ts';

/**
 * How long one synchronous invocation may take: a batch's whole run (CheckVolumeBatch's
 * Lambda timeout, infra/function-catalog.ts FUNCTION_TIMEOUT_SECONDS.batch) and a margin.
 */
export const INVOKE_REQUEST_TIMEOUT_MS = 130_000;

// Created once per module. In local mode AWS_ENDPOINT_URL_LAMBDA names local mode's Invoke
// endpoint, which runs the stack's functions (local/lambda/invoke-endpoint.ts). Two attempts:
// a batch's checks are idempotent, but a third would outlast the scheduled run.
export const lambdaClient = traceable(
  new LambdaClient({
    requestHandler: {
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeout,
      requestTimeout: INVOKE_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    maxAttempts: 2,
  }),
);
