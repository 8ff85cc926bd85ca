import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { settleDependencies } from '#helpers/settle-dependencies';
import { settleStalePending } from '#lib/settle/settle-execution';
import { checkAllVolumes } from '#lib/sweep/check-all';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { tracer } from '#powertools/tracer';

traceClients(tracer);

/**
 * The scheduled drift check (EventBridge Scheduler; local mode every few seconds): every
 * READY volume, its health recorded, `Volume Drifted` raised on a change; then every PENDING
 * volume stuck for minutes, restarted or settled (settleStalePending). The event carries
 * nothing it needs.
 */
export const handler = middy(async () => {
  const check = healthCheckDependencies();
  const settle = settleDependencies({ repairs: false });
  const summary = await checkAllVolumes({
    ...check,
    reconcilePending: (record) => settleStalePending(settle, record),
  });
  for (const reconciled of summary.stalePending) logger.warn('stale PENDING volume', reconciled);
  for (const failure of summary.failed) logger.warn('volume health check failed', failure);
  logger.info('volume health checked', {
    checked: summary.checked,
    healthy: summary.healthy,
    drifted: summary.drifted,
    newlyDrifted: summary.newlyDrifted,
    skipped: summary.skipped,
    failed: summary.failed.length,
  });
  return summary;
})
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
