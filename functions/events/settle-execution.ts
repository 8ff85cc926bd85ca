import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { eventBridgeClient } from '#clients/eventbridge';
import { sfnClient } from '#clients/sfn';
import { volumeRecords } from '#helpers/volume-records';
import { describeCluster } from '#lib/aws/cluster';
import { serviceSettings } from '#lib/config';
import { KubernetesReader } from '#lib/kube/read-client';
import type { ExecutionStatusChangeEvent } from '#lib/settle/execution-status-change';
import { settleExecutionEnd } from '#lib/settle/settle-execution';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { tracer } from '#powertools/tracer';

traceClients(tracer);

/**
 * "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of any workflow:
 * settles a record its execution left in between. A thrown error is retried by EventBridge
 * and Lambda, then kept in the dead-letter queue.
 */
export const handler = middy(async (event: ExecutionStatusChangeEvent) => {
  const { name, status } = event.detail;
  logger.appendKeys({ executionName: name, executionStatus: status });
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const outcome = await settleExecutionEnd(
    {
      records: volumeRecords(),
      efs: efsClient,
      ec2: ec2Client,
      sfn: sfnClient,
      events: eventBridgeClient,
      // Signed with the function's own credentials, those its SDK clients use.
      kubernetes: async (clusterName) =>
        KubernetesReader.connect(
          await describeCluster(eksClient, clusterName),
          region,
          eksClient.config.credentials,
        ),
      settings: {
        eventBusName: serviceSettings().eventBusName,
        provisionStateMachineArn: process.env.PROVISION_STATE_MACHINE_ARN ?? '',
        deprovisionStateMachineArn: process.env.DEPROVISION_STATE_MACHINE_ARN ?? '',
        repairStateMachineArn: process.env.REPAIR_STATE_MACHINE_ARN ?? '',
      },
    },
    event.detail,
  );
  if (outcome.volumeId) tracer.putAnnotation('volumeId', outcome.volumeId);
  logger.info(outcome.outcome === 'settled' ? 'execution end settled' : 'execution end ignored', {
    ...outcome,
  });
  return outcome;
})
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
