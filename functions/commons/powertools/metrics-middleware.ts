import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { metrics, recordApiRequest, recordStepInvocation } from './metrics.ts';

/**
 * middy middlewares that record a workflow step's duration and failure and flush the
 * invocation's metrics. Each adds its metrics in the same synchronous turn as the flush
 * (its `after`/`onError` runs just before logMetrics'), so concurrent invocations in one
 * process (local mode) cannot swap dimensions.
 */
export function stepMetrics(step: string): middy.MiddlewareObj[] {
  // Keyed by the request, which is each invocation's own object.
  const startedAt = new WeakMap<middy.Request, number>();
  const stepMetricsBefore: middy.MiddlewareFn = (request) => {
    startedAt.set(request, performance.now());
  };
  const record = (request: middy.Request, failed: boolean) => {
    const start = startedAt.get(request);
    recordStepInvocation(step, start === undefined ? 0 : performance.now() - start, failed);
  };
  const stepMetricsAfter: middy.MiddlewareFn = (request) => record(request, false);
  const stepMetricsOnError: middy.MiddlewareFn = (request) => record(request, true);
  return [
    logMetrics(metrics, { captureColdStartMetric: true }),
    { before: stepMetricsBefore, after: stepMetricsAfter, onError: stepMetricsOnError },
  ];
}

/**
 * middy middlewares that count an API request by operation and the status code it was
 * answered with, and flush. Use them before the middleware that turns errors into answers
 * (problemJson), whose `onError` then runs first and sets the status this one reads.
 */
export function apiRequestMetrics(operation: string): middy.MiddlewareObj[] {
  const record = (request: middy.Request) => {
    const response = request.response as APIGatewayProxyResult | undefined;
    // No answer at all (an error nothing turned into one): API Gateway answers 502.
    recordApiRequest(operation, response?.statusCode ?? 502);
  };
  return [
    logMetrics(metrics, { captureColdStartMetric: true }),
    { after: record, onError: record },
  ];
}
