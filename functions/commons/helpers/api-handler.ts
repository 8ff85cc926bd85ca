import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '#powertools/logger';
import { problemJson } from './problem-json.ts';

/**
 * Wraps an API operation: Powertools context on every log line (never the event, which
 * carries the caller's signature headers), the request id, and problem+json for errors.
 */
export function apiHandler(
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
    .use(problemJson());
}
