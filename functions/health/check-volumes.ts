import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { sfnClient } from '#clients/sfn';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { describeCluster } from '#lib/aws/cluster';
import { checkAllVolumes } from '#lib/health/check-all';
import { KubernetesReader } from '#lib/kube/read-client';
import { type SettleDependencies, settleStalePending } from '#lib/settle/settle-execution';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { tracer } from '#powertools/tracer';

traceClients(tracer);

/** What reconciling a stuck PENDING record needs besides the check's clients. */
function stalePendingDependencies(
  check: ReturnType<typeof healthCheckDependencies>,
): SettleDependencies {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    records: check.records,
    efs: efsClient,
    ec2: ec2Client,
    sfn: sfnClient,
    events: check.events,
    // Signed with the function's own credentials, those its SDK clients use.
    kubernetes: async (clusterName) =>
      KubernetesReader.connect(
        await describeCluster(eksClient, clusterName),
        region,
        eksClient.config.credentials,
      ),
    settings: {
      eventBusName: check.eventBusName,
      provisionStateMachineArn: process.env.PROVISION_STATE_MACHINE_ARN ?? '',
      deprovisionStateMachineArn: process.env.DEPROVISION_STATE_MACHINE_ARN ?? '',
    },
  };
}

/**
 * The scheduled drift check (EventBridge Scheduler; local mode every few seconds): every
 * READY volume, its health recorded, `Volume Drifted` raised on a change; then every PENDING
 * volume stuck for minutes, restarted or settled (settleStalePending). The event carries
 * nothing it needs.
 */
export const handler = middy(async () => {
  const check = healthCheckDependencies();
  const settle = stalePendingDependencies(check);
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
