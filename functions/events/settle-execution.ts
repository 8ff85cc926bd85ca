import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { settleDependencies } from '#helpers/settle-dependencies';
import { settleExecutionEnd } from '#lib/settle/settle-execution';
import type { ExecutionStatusChangeEvent } from '#lib/workflow/execution-status-change';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { traceHandler, tracer } from '#powertools/tracer';

traceClients(tracer);

/**
 * "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of any workflow:
 * settles a record its execution left in between, or starts the cleanup of what a
 * provisioning left (settle-execution.ts `settleExecutionEnd`). A thrown error is retried by EventBridge
 * and Lambda, then kept in the dead-letter queue.
 */
export const handler = middy(async (event: ExecutionStatusChangeEvent) => {
  const { name, status } = event.detail;
  logger.appendKeys({ executionName: name, executionStatus: status });
  const outcome = await settleExecutionEnd(settleDependencies({ repairs: true }), event.detail);
  if (outcome.volumeId) tracer.putAnnotation('volumeId', outcome.volumeId);
  const messages = {
    settled: 'execution end settled',
    'cleaning-up': 'execution end handed to a cleanup',
    ignored: 'execution end ignored',
  } as const;
  logger.info(messages[outcome.outcome], { ...outcome });
  return outcome;
})
  .use(traceHandler())
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
