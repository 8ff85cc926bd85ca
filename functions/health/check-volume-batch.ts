import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { patientEc2Client, patientEfsClient, patientEksClient } from '#clients/patient';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { batchDependencies, checkVolumeBatch } from '#lib/sweep/check-all';
import { healthBatchOf } from '#lib/sweep/health-batch';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { traceHandler, tracer } from '#powertools/tracer';

traceClients(tracer);

/**
 * One batch of the scheduled drift check: the READY volumes CheckVolumes planned together (one
 * cluster, and one file system's volumes side by side), each checked and its health recorded,
 * `Volume Drifted` raised on a change. Invoked only by CheckVolumes (its role alone may), which
 * waits for the summary. The clients' reads are memoized for the invocation, so the batch
 * reads each cluster, profile, file system and listing once, and retried patiently when the
 * account's read rate is spent (clients/patient.ts).
 */
export const handler = middy(async (event: unknown) => {
  const records = healthBatchOf(event);
  const deps = {
    ...healthCheckDependencies(),
    efs: patientEfsClient,
    eks: patientEksClient,
    ec2: patientEc2Client,
  };
  const summary = await checkVolumeBatch(batchDependencies(deps), records);
  for (const failure of summary.failed) logger.warn('volume health check failed', failure);
  logger.info('volume health batch checked', {
    volumes: records.length,
    checked: summary.checked,
    healthy: summary.healthy,
    drifted: summary.drifted,
    skipped: summary.skipped,
    failed: summary.failed.length,
  });
  return summary;
})
  .use(traceHandler())
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
