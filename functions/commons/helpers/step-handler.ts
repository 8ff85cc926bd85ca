import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { VolumeRecordStore } from '#lib/volume/record';
import { type StepEvent, verifiedStepState } from '#lib/workflow/execution';
import type { StepState } from '#lib/workflow/state';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { stepMetrics } from '#powertools/metrics-middleware';
import { traceHandler, tracer } from '#powertools/tracer';

/**
 * Wraps a workflow step as a Lambda handler. The event is what the ASL's `Parameters` give
 * (`{ state, execution }`): the step runs only for the execution the volume's record names,
 * on the record's spec (execution.ts `verifiedStepState`), and refuses anything else before it
 * writes a thing. Powertools context, the volume id and the step on every log line and on the
 * X-Ray trace, one line per failure with the error's name (never the state nor any token),
 * and the step's duration and failure as metrics (dimension `step`), flushed at the end of
 * each invocation.
 *
 * @param stepName the step's name in the state machines (`CreateFileSystem`), the `step`
 *   dimension of its metrics
 */
export function stepHandler<D extends { readonly records: VolumeRecordStore }, R>(
  stepName: string,
  step: (state: StepState, deps: D) => Promise<R>,
  dependencies: () => D,
) {
  traceClients(tracer);
  return middy(async (event: StepEvent, _context: Context): Promise<R> => {
    logger.appendKeys({
      volumeId: event?.state?.volumeId,
      executionName: event?.execution?.name,
      step: stepName,
    });
    tracer.putAnnotation('volumeId', String(event?.state?.volumeId));
    tracer.putAnnotation('step', stepName);
    try {
      const deps = dependencies();
      return await step(await verifiedStepState(event, deps.records, stepName), deps);
    } catch (error) {
      logger.warn('step failed', {
        errorName: (error as Error).name,
        errorMessage: (error as Error).message,
      });
      throw error;
    } finally {
      logger.removeKeys(['volumeId', 'executionName', 'step']);
    }
  })
    .use(traceHandler())
    .use(injectLambdaContext(logger, { clearState: true, logEvent: false }))
    .use(stepMetrics(stepName));
}
