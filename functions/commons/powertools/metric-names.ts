// The names the functions emit and the stack's alarms and dashboard read: one list, so an
// alarm can never watch a metric nobody writes. No imports, so infra/ can load it cheaply.

/** The CloudWatch namespace of every metric of the service. */
export const METRICS_NAMESPACE = 'EfsVolumes';

/** The `service` dimension Powertools adds to every metric (POWERTOOLS_SERVICE_NAME). */
export const SERVICE_NAME = 'efs-volumes';

/** Every metric the service emits, by what it counts. */
export const VolumeMetric = {
  /** A volume was recorded PENDING and its provisioning started (POST /volumes or an event). */
  requested: 'VolumesRequested',
  ready: 'VolumesReady',
  failed: 'VolumesFailed',
  rollbackFailed: 'VolumesRollbackFailed',
  deleted: 'VolumesDeleted',
  deleteFailed: 'VolumesDeleteFailed',
  /** Seconds from the record's createdAt to READY. */
  timeToReady: 'TimeToReady',
  /** Milliseconds one step invocation took, dimension `step`. */
  stepDuration: 'StepDuration',
  /** 1 for an invocation that threw (retried or not), 0 otherwise, dimension `step`. */
  stepFailures: 'StepFailures',
  /** One per API request, dimensions `operation` and `statusCode`. */
  apiRequests: 'ApiRequests',
  /** Resources found to differ from their volume record. */
  driftFindings: 'DriftFindings',
  /** Warm pool members ready to take after a scheduled check, dimension `cluster`. */
  warmPoolAvailable: 'WarmPoolAvailable',
} as const;

export type VolumeMetricName = (typeof VolumeMetric)[keyof typeof VolumeMetric];

/** The terminal statuses that each have a count, and the metric each one counts in. */
export const STATUS_METRICS = {
  READY: VolumeMetric.ready,
  FAILED: VolumeMetric.failed,
  ROLLBACK_FAILED: VolumeMetric.rollbackFailed,
  DELETED: VolumeMetric.deleted,
  DELETE_FAILED: VolumeMetric.deleteFailed,
} as const;

export type CountedStatus = keyof typeof STATUS_METRICS;

// The statuses functions/lib counts (lib/metrics.ts) are exactly the ones that have a metric.
const _sameStatuses: Record<import('#lib/metrics').CountedStatus, string> = STATUS_METRICS;
void _sameStatuses;
