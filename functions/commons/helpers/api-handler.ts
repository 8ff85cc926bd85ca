import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { headerNormalizer, jsonBody } from '#lib/http/http';
import { traceClients } from '#powertools/client-tracing';
import { logger } from '#powertools/logger';
import { apiRequestMetrics } from '#powertools/metrics-middleware';
import { traceHandler, tracer } from '#powertools/tracer';
import type { operations } from '../../generated/openapi-types.ts';
import { problemJson } from './problem-json.ts';

/** An operation of openapi.yaml, by its operationId. */
export type ApiOperation = keyof operations;

// Every SDK call of the API functions is a subsegment of the invocation's trace. It costs
// about 85 kB of bundle (the X-Ray SDK without its SDK v2 patcher, cls-hooked, the Tracer;
// infra/bundling.ts), loaded only where the function traces (#powertools/tracer): on-call
// people need to see where a slow POST spent its time more than the API bundles need to reach
// their 400 kB budget.
traceClients(tracer);

export interface ApiHandlerOptions {
  /** The operation takes a JSON body: `jsonBodyOf(event)` is it, parsed (see `jsonBody`). */
  readonly jsonBody?: boolean;
}

/**
 * Wraps an API operation: Powertools context on every log line (never the event, which
 * carries the caller's signature headers), the request id, header names in lower case,
 * the JSON body parsed when the operation takes one, problem+json for errors, one
 * `ApiRequests` metric by operation and answered status code, flushed per invocation, and a
 * trace annotated with the operation (never with the response, which may carry a cluster's
 * details).
 */
export function apiHandler(
  operationId: ApiOperation,
  operation: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  options: ApiHandlerOptions = {},
) {
  return middy(async (event: APIGatewayProxyEvent, context: Context) => {
    tracer.putAnnotation('operation', operationId);
    logger.appendKeys({
      requestId: event.requestContext?.requestId,
      path: event.path,
      method: event.httpMethod,
    });
    const response = await operation(event, context);
    logger.info('request served', { status: response.statusCode });
    return response;
  })
    .use(traceHandler())
    .use(injectLambdaContext(logger, { clearState: true, logEvent: false }))
    .use(apiRequestMetrics(operationId))
    .use(problemJson())
    .use(headerNormalizer())
    .use(options.jsonBody ? jsonBody() : []);
}
