import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { INVOKE_REQUEST_TIMEOUT_MS, lambdaClient } from '#clients/lambda';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { settleDependencies } from '#helpers/settle-dependencies';
import { serviceSettings } from '#lib/config';
import { stringSetting } from '#lib/settings';
import { settleStalePending } from '#lib/settle/settle-execution';
import { checkAllVolumes, type HealthBatchSummary } from '#lib/sweep/check-all';
import type { HealthBatchEvent } from '#lib/sweep/health-batch';
import { maintainWarmPools } from '#lib/sweep/warm-pool';
import { warmPoolSizes } from '#lib/volume/pool';
import type { VolumeRecord } from '#lib/volume/record';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { recordWarmPool } from '#powertools/metrics';
import { traceHandler, tracer } from '#powertools/tracer';

traceClients(tracer);

/**
 * Checks one batch in a CheckVolumeBatch invocation and returns its summary.
 * @throws Error when the invocation failed (the function's error, or Lambda's)
 */
async function invokeBatch(
  functionName: string,
  records: readonly VolumeRecord[],
): Promise<HealthBatchSummary> {
  const event: HealthBatchEvent = { records };
  const answer = await lambdaClient.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const payload = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
  if (answer.FunctionError) {
    const failure = JSON.parse(payload || '{}') as { errorType?: string; errorMessage?: string };
    throw new Error(
      `${functionName} failed (${answer.FunctionError}): ${failure.errorType ?? 'Error'}: ${failure.errorMessage ?? payload}`,
    );
  }
  return JSON.parse(payload) as HealthBatchSummary;
}

/**
 * The scheduled drift check (EventBridge Scheduler; local mode every few seconds): every
 * READY volume, planned into batches by cluster and file system, each batch checked by a
 * CheckVolumeBatch invocation (three at once) that records each volume's health and raises
 * `Volume Drifted` on a change; then every PENDING volume stuck for minutes, restarted or
 * settled (settleStalePending). The event carries nothing it needs.
 */
export const handler = middy(async (_event: unknown, context: Context) => {
  const check = healthCheckDependencies();
  const settle = settleDependencies({ repairs: false });
  const batchFunction = stringSetting('CHECK_VOLUME_BATCH_FUNCTION');
  const summary = await checkAllVolumes(
    {
      ...check,
      reconcilePending: (record) => settleStalePending(settle, record),
      ...(batchFunction
        ? { checkBatch: (records: readonly VolumeRecord[]) => invokeBatch(batchFunction, records) }
        : {}),
    },
    // No batch starts that could not end before this run does (and the PENDING volumes and
    // the warm pool get their share): the rest wait for the next run.
    {
      deadline: {
        remainingMs: () => context.getRemainingTimeInMillis(),
        batchMs: INVOKE_REQUEST_TIMEOUT_MS + 60_000,
      },
    },
  );
  for (const reconciled of summary.stalePending) logger.warn('stale PENDING volume', reconciled);
  for (const failure of summary.failed) logger.warn('volume health check failed', failure);
  logger.info('volume health checked', {
    batches: summary.batches,
    deferred: summary.deferred,
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
  .use(traceHandler())
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
