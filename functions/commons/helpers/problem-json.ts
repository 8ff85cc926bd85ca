import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { problemOfError, problemResponse } from '#lib/http/http';
import type { ProblemError } from '#lib/problems/problem';
import { logger } from '#powertools/logger';

export interface ProblemJsonOptions {
  /** Log 4xx problems too (at INFO). @default true */
  readonly logClientErrors?: boolean;
}

const defaults: Required<ProblemJsonOptions> = { logClientErrors: true };

/**
 * middy middleware: every error becomes an RFC 9457 problem+json answer (`problemOfError`:
 * middy's own HTTP errors included). Unexpected errors are logged with their name and
 * answered 500 without detail, so nothing internal leaks.
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
    const problem = problemOfError(error, request.event);
    if (problem.slug === 'internal' && problem.cause === error) {
      logger.error('unexpected error', { errorName: error?.name, errorMessage: error?.message });
    } else if (problem.status >= 500) {
      logger.error('request failed', { problem: problem.slug, errorName: errorCauseName(problem) });
    } else if (settings.logClientErrors) {
      logger.info('request refused', { problem: problem.slug, status: problem.status });
    }
    request.response = problemResponse(problem, instance);
  };
  return { onError: problemJsonOnError };
}

function errorCauseName(error: ProblemError): string | undefined {
  return (error.cause as Error | undefined)?.name;
}
