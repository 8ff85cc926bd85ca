import { Logger } from '@aws-lambda-powertools/logger';
import { mapStackTraces } from './stack-traces.ts';

// Every function logs through this module: its stack traces point into the sources.
mapStackTraces();

/** The one Logger of the service: structured JSON, `serviceName` set, level from POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'efs-volumes',
});
