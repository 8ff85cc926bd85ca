import { SFNClient } from '@aws-sdk/client-sfn';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module. In local mode AWS_ENDPOINT_URL_SFN names the local Step Functions
// endpoint that runs the same ASL files.
export const sfnClient = traceable(new SFNClient(withTimeouts()));
