import { BackupClient } from '@aws-sdk/client-backup';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module so warm Lambdas reuse connections; AWS_ENDPOINT_URL in local mode.
export const backupClient = traceable(new BackupClient(withTimeouts()));
