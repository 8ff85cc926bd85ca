import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ec2Client } from '#clients/ec2';
import { eventBridgeClient } from '#clients/eventbridge';
import { apiDependencies } from '#helpers/api-dependencies';
import { serviceSettings } from '#lib/config';
import { handleProvisionRequested, type RequestEvent } from '#lib/events/provision-requested';
import { requestSendersFromEnvironment } from '#lib/events/request-senders';
import { stringSetting } from '#lib/settings';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { traceHandler, tracer } from '#powertools/tracer';

traceClients(tracer);

export const handler = middy(async (event: RequestEvent) => {
  logger.appendKeys({ requestEventId: event.id, source: event.source, account: event.account });
  const outcome = await handleProvisionRequested(
    {
      ...apiDependencies({ ec2: ec2Client }),
      events: eventBridgeClient,
      busName: serviceSettings().eventBusName,
      expectedSource: stringSetting('REQUEST_EVENT_SOURCE'),
      requestSenders: requestSendersFromEnvironment(),
    },
    event,
  );
  if (outcome.outcome === 'rejected') {
    logger.warn('request event rejected', { ...outcome });
  } else {
    tracer.putAnnotation('volumeId', outcome.volumeId);
    logger.info('request event accepted', { ...outcome });
  }
  return outcome;
})
  .use(traceHandler())
  .use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
