// What the volume service reports as metrics, as a port: the logic says what happened, and the
// Lambda side (functions/commons/powertools/metrics.ts) decides how it becomes CloudWatch
// metrics. functions/lib knows nothing of Powertools or Lambda.

/** The terminal statuses that each have a count. */
export type CountedStatus = 'READY' | 'FAILED' | 'ROLLBACK_FAILED' | 'DELETED' | 'DELETE_FAILED';

/** The volume's lifecycle, as figures. */
export interface VolumeMetrics {
  /** A volume was recorded PENDING and its provisioning started (API or request event). */
  volumeRequested(): void;
  /** A volume reached a counted status. */
  volumeStatus(status: CountedStatus): void;
  /** From the record's `createdAt` to the `updatedAt` of the write that made it READY. */
  timeToReady(createdAt: string, readyAt: string): void;
}

/** Reports nothing: for callers that measure nothing (a benchmark, a script). */
export const NO_METRICS: VolumeMetrics = {
  volumeRequested: () => undefined,
  volumeStatus: () => undefined,
  timeToReady: () => undefined,
};
