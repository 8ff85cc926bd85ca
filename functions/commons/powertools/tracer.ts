import type { MiddlewareObj } from '@middy/core';
import type { ClientCapture } from './client-tracing.ts';

/** What the handlers ask of the Tracer. */
export interface FunctionTracer extends ClientCapture {
  putAnnotation(key: string, value: string | number | boolean): void;
}

/**
 * Whether the Powertools Tracer would trace here, by its own rules (Tracer#setTracingEnabled,
 * @aws-lambda-powertools/tracer 2.x): not with POWERTOOLS_TRACE_ENABLED `false`, not outside
 * Lambda (AWS_EXECUTION_ENV unset: local mode, the tests), not under the Amplify mock nor SAM
 * local. test/unit/tracer.test.ts holds this to the Tracer's own answer.
 */
export function tracingEnabled(environment: NodeJS.ProcessEnv = process.env): boolean {
  if ((environment.POWERTOOLS_TRACE_ENABLED ?? '').trim().toLowerCase() === 'false') return false;
  const executionEnvironment = (environment.AWS_EXECUTION_ENV ?? '').trim();
  if (executionEnvironment === '' || executionEnvironment === 'AWS_Lambda_amplify-mock') {
    return false;
  }
  return (environment.AWS_SAM_LOCAL ?? '').trim() === '';
}

/** Tracing off: every call a no-op, every client as it was. */
const NOT_TRACING: FunctionTracer = {
  putAnnotation: () => undefined,
  captureAWSv3Client: (client) => client,
};

/**
 * The Tracer and its middy middleware, loaded only when it traces. The X-Ray SDK it brings
 * creates a cls-hooked namespace when it loads, which turns on async hooks that track every
 * promise of the process (each `await` about 8 times slower): a function that does not trace
 * (local mode, the tests, a stack with tracing off) never loads it, so it neither pays that
 * nor evaluates the SDK at its cold start.
 */
async function loadTracing() {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'efs-volumes' });
  return {
    tracer: tracer as FunctionTracer,
    // Never the response on the trace: a step's result can carry the cluster's CA and endpoint.
    middleware: () => captureLambdaHandler(tracer, { captureResponse: false }),
  };
}

const tracing = tracingEnabled() ? await loadTracing() : undefined;

/** The one Tracer of the service (a no-op when it does not trace). */
export const tracer: FunctionTracer = tracing?.tracer ?? NOT_TRACING;

/**
 * The handler's trace segment (Powertools' captureLambdaHandler, without the response), or
 * nothing when it does not trace.
 */
export function traceHandler(): MiddlewareObj[] {
  return tracing ? [tracing.middleware()] : [];
}
