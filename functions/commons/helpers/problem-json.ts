import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { problemResponse } from '#lib/api/http';
import { ProblemError, problems } from '#lib/api/problem';
import { logger } from '#powertools/logger';

export interface ProblemJsonOptions {
  /** Log 4xx problems too (at INFO). @default true */
  readonly logClientErrors?: boolean;
}

const defaults: Required<ProblemJsonOptions> = { logClientErrors: true };

/**
 * middy middleware: every error becomes an RFC 9457 problem+json answer. Unexpected errors
 * are logged with their name and answered 500 without detail, so nothing internal leaks.
 */
export function problemJson(
  options: ProblemJsonOptions = {},
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const settings = { ...defaults, ...options };
  const problemJsonOnError: middy.MiddlewareFn<APIGatewayProxyEvent, APIGatewayProxyResult> = (
    request,
  ) => {
    const { error } = request;
    const instance = request.event?.path;
    if (error instanceof ProblemError) {
      if (error.status >= 500) {
        logger.error('request failed', { problem: error.slug, errorName: errorCauseName(error) });
      } else if (settings.logClientErrors) {
        logger.info('request refused', { problem: error.slug, status: error.status });
      }
      request.response = problemResponse(error, instance);
      return;
    }
    logger.error('unexpected error', { errorName: error?.name, errorMessage: error?.message });
    request.response = problemResponse(problems.internal(), instance);
  };
  return { onError: problemJsonOnError };
}

function errorCauseName(error: ProblemError): string | undefined {
  return (error.cause as Error | undefined)?.name;
}
