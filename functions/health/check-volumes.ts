import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { settleDependencies } from '#helpers/settle-dependencies';
import { serviceSettings } from '#lib/config';
import { settleStalePending } from '#lib/settle/settle-execution';
import { checkAllVolumes } from '#lib/sweep/check-all';
import { maintainWarmPools } from '#lib/sweep/warm-pool';
import { warmPoolSizes } from '#lib/volume/pool';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { recordWarmPool } from '#powertools/metrics';
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
  // Then the warm pools: checked, refilled to their size, discarded members torn down.
  const pools = await maintainWarmPools({
    efs: check.efs,
    ec2: check.ec2,
    eks: check.eks,
    pool: check.records.pool(),
    settings: { warmPool: warmPoolSizes(), kmsKeyId: serviceSettings().kmsKeyId },
  });
  for (const pool of pools) {
    recordWarmPool(pool.clusterName, pool.available);
    for (const failure of pool.failed) logger.warn('warm pool member failed', failure);
    logger.info('warm pool maintained', { ...pool, failed: pool.failed.length });
  }
  return { ...summary, pools };
})
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
