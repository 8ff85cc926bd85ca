import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '#powertools/logger';
import { apiRequestMetrics } from '#powertools/metrics-middleware';
import type { operations } from '../../generated/openapi-types.ts';
import { problemJson } from './problem-json.ts';

/** An operation of openapi.yaml, by its operationId. */
export type ApiOperation = keyof operations;

/**
 * Wraps an API operation: Powertools context on every log line (never the event, which
 * carries the caller's signature headers), the request id, problem+json for errors, and one
 * `ApiRequests` metric by operation and answered status code, flushed per invocation.
 *
 * No X-Ray SDK here: it would take these bundles past their size budget (see
 * #powertools/client-tracing); Lambda's active tracing still traces each invocation.
 */
export function apiHandler(
  operationId: ApiOperation,
  operation: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
) {
  return middy(async (event: APIGatewayProxyEvent, context: Context) => {
    logger.appendKeys({
      requestId: event.requestContext?.requestId,
      path: event.path,
      method: event.httpMethod,
    });
    const response = await operation(event, context);
    logger.info('request served', { status: response.statusCode });
    return response;
  })
    .use(injectLambdaContext(logger, { clearState: true, logEvent: false }))
    .use(apiRequestMetrics(operationId))
    .use(problemJson());
}
