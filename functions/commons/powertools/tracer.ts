import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Tracer of the service. It traces only inside Lambda with active tracing: Powertools
 * turns it off when AWS_EXECUTION_ENV is unset (local mode, the tests) or
 * POWERTOOLS_TRACE_ENABLED is `false`, and then every call here is a no-op that never looks
 * for an X-Ray daemon.
 */
export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'efs-volumes',
});
