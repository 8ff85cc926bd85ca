import { VolumeRecordStateError } from '../errors.ts';
import { checkAndRecordHealth, type RecordedCheckDependencies } from '../health/record-health.ts';
import type { StalePendingOutcome } from '../settle/settle-execution.ts';
import type { VolumeRecord, VolumeStatus } from '../volume/record.ts';

/** How one scheduled run went. */
export interface HealthSweepSummary {
  readonly checked: number;
  readonly healthy: number;
  readonly drifted: number;
  /** Volumes that turned DRIFTED in this run (one `Volume Drifted` event each). */
  readonly newlyDrifted: readonly string[];
  /** Volumes that left READY while being checked: nothing recorded. */
  readonly skipped: number;
  /** Volumes whose check could not look (throttling, a cluster unreachable): left as they were. */
  readonly failed: ReadonlyArray<{ readonly volumeId: string; readonly error: string }>;
  /** PENDING volumes found stuck and reconciled: restarted, settled or failed. */
  readonly stalePending: ReadonlyArray<{
    readonly volumeId: string;
    readonly outcome: StalePendingOutcome;
  }>;
}

/**
 * The sweep's dependencies: a recorded check's, and how to reconcile a PENDING record (the
 * handler passes `settleStalePending` bound to its clients). Without it PENDING volumes are
 * not paged.
 */
export interface HealthSweepDependencies extends RecordedCheckDependencies {
  readonly reconcilePending?: (record: VolumeRecord) => Promise<StalePendingOutcome>;
}

export interface HealthSweepOptions {
  /** Checks running at once. @default 4 */
  readonly concurrency?: number;
  /** Records read per page of READY volumes. @default 50 */
  readonly pageSize?: number;
}

/**
 * Every record of one status, newest first, a page at a time, each handed to `visit` with at
 * most `concurrency` at once.
 */
async function forEachRecord(
  deps: RecordedCheckDependencies,
  status: VolumeStatus,
  options: { readonly pageSize: number; readonly concurrency: number },
  visit: (record: VolumeRecord) => Promise<void>,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await deps.records.list({
      status,
      limit: options.pageSize,
      ...(nextToken ? { nextToken } : {}),
    });
    const queue = [...page.items];
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, queue.length) }, async () => {
        for (let record = queue.shift(); record; record = queue.shift()) await visit(record);
      }),
    );
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * Checks every READY volume, newest first, a page at a time with at most `concurrency` checks
 * at once (each check makes a dozen AWS and Kubernetes reads; many at once would be throttled).
 * One volume's failure never stops the others: it is counted and the volume keeps its last
 * recorded health.
 *
 * Then, given `reconcilePending`, every PENDING volume: one whose POST never got its execution
 * going (or whose execution ended unsettled) would stay PENDING forever, as no event will come.
 */
export async function checkAllVolumes(
  deps: HealthSweepDependencies,
  options: HealthSweepOptions = {},
): Promise<HealthSweepSummary> {
  const concurrency = options.concurrency ?? 4;
  const pageSize = options.pageSize ?? 50;
  let checked = 0;
  let healthy = 0;
  let drifted = 0;
  let skipped = 0;
  const newlyDrifted: string[] = [];
  const failed: Array<{ volumeId: string; error: string }> = [];
  const stalePending: Array<{ volumeId: string; outcome: StalePendingOutcome }> = [];
  const failure = (record: VolumeRecord, error: unknown) => ({
    volumeId: record.id,
    error: `${(error as Error).name}: ${(error as Error).message}`,
  });

  async function checkOne(record: VolumeRecord): Promise<void> {
    try {
      const { health, announced } = await checkAndRecordHealth(deps, record);
      checked += 1;
      if (health.state === 'HEALTHY') healthy += 1;
      else drifted += 1;
      if (announced) newlyDrifted.push(record.id);
    } catch (error) {
      if (error instanceof VolumeRecordStateError) {
        skipped += 1;
        return;
      }
      failed.push(failure(record, error));
    }
  }

  await forEachRecord(deps, 'READY', { pageSize, concurrency }, checkOne);
  const { reconcilePending } = deps;
  if (reconcilePending) {
    await forEachRecord(deps, 'PENDING', { pageSize, concurrency }, async (record) => {
      try {
        const outcome = await reconcilePending(record);
        if (outcome !== 'not-stale' && outcome !== 'running') {
          stalePending.push({ volumeId: record.id, outcome });
        }
      } catch (error) {
        failed.push(failure(record, error));
      }
    });
  }
  return { checked, healthy, drifted, newlyDrifted, skipped, failed, stalePending };
}
