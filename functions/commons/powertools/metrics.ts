import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { VolumeMetrics } from '#lib/metrics';
import { logger } from './logger.ts';
import {
  type CountedStatus,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  STATUS_METRICS,
  VolumeMetric,
} from './metric-names.ts';

/**
 * The one Metrics of the service: CloudWatch embedded metric format (EMF) lines on stdout,
 * namespace `EfsVolumes`, dimension `service`. The Lambda wrappers flush it once per
 * invocation; `POWERTOOLS_METRICS_DISABLED=true` turns it off (the tests do).
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  // Not POWERTOOLS_SERVICE_NAME: the alarms match this dimension value exactly.
  serviceName: SERVICE_NAME,
  logger,
});

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The per-invocation dimensions: a step of the workflow, or an API operation and status. */
export const MetricDimension = {
  step: 'step',
  operation: 'operation',
  statusCode: 'statusCode',
  cluster: 'cluster',
} as const;

/**
 * Emits one metric on a line of its own, with the `service` dimension only. Volume counts
 * are alarmed on across every step and operation, so they must not carry the invocation's
 * `step` or `operation` dimension (EMF gives every metric of a line the same dimensions).
 */
function emitAlone(name: string, unit: Unit, value: number): void {
  metrics.singleMetric().addMetric(name, unit, value);
}

/** Counts a volume recorded PENDING whose provisioning was started (API or request event). */
export function recordVolumeRequested(): void {
  emitAlone(VolumeMetric.requested, MetricUnit.Count, 1);
}

/** Counts a volume that reached READY, FAILED, ROLLBACK_FAILED, DELETED or DELETE_FAILED. */
export function recordVolumeStatus(status: CountedStatus): void {
  emitAlone(STATUS_METRICS[status], MetricUnit.Count, 1);
}

/**
 * Records how long a volume took from its request to READY: from the record's `createdAt` to
 * the `updatedAt` of the write that made it READY (ISO 8601, both by the store's clock). A
 * record whose times do not read gives no figure rather than a wrong one.
 */
export function recordTimeToReady(createdAt: string, readyAt: string): void {
  const seconds = (Date.parse(readyAt) - Date.parse(createdAt)) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return;
  emitAlone(VolumeMetric.timeToReady, MetricUnit.Seconds, seconds);
}

/** The volume lifecycle's metrics (functions/lib/metrics.ts) as this module emits them. */
export const volumeMetrics: VolumeMetrics = {
  volumeRequested: recordVolumeRequested,
  volumeStatus: recordVolumeStatus,
  timeToReady: recordTimeToReady,
};

/**
 * Records how many resources a drift check found differing from their volume records. The
 * hook for the drift check: nothing calls it yet.
 */
export function recordDriftFindings(count: number): void {
  emitAlone(VolumeMetric.driftFindings, MetricUnit.Count, count);
}

/**
 * Records how many members of a cluster's warm pool are ready to take after a scheduled check,
 * dimension `cluster` (a configured cluster name: a few series).
 */
export function recordWarmPool(cluster: string, available: number): void {
  const single = metrics.singleMetric();
  single.addDimension(MetricDimension.cluster, cluster);
  single.addMetric(VolumeMetric.warmPoolAvailable, MetricUnit.Count, available);
}

/**
 * Adds one step invocation to the invocation's metrics: its duration, and 1 or 0 failures
 * (so the Sum counts failures and the Average is the failure rate), dimension `step`.
 */
export function recordStepInvocation(step: string, milliseconds: number, failed: boolean): void {
  metrics.addDimension(MetricDimension.step, step);
  metrics.addMetric(VolumeMetric.stepDuration, MetricUnit.Milliseconds, milliseconds);
  metrics.addMetric(VolumeMetric.stepFailures, MetricUnit.Count, failed ? 1 : 0);
}

/**
 * Adds one API request to the invocation's metrics, dimensions `operation` (an operationId
 * of openapi.yaml) and `statusCode`. Both come from closed sets, the five operations and the
 * status codes the contract lists, so the metric has a few dozen series at most.
 */
export function recordApiRequest(operation: string, statusCode: number): void {
  metrics.addDimension(MetricDimension.operation, operation);
  metrics.addDimension(MetricDimension.statusCode, String(statusCode));
  metrics.addMetric(VolumeMetric.apiRequests, MetricUnit.Count, 1);
}
