import { VolumeRecordStateError } from '../errors.ts';
import type { VolumeRecord } from '../volume/record.ts';
import { checkAndRecordHealth, type RecordedCheckDependencies } from './record-health.ts';

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
}

export interface HealthSweepOptions {
  /** Checks running at once. @default 4 */
  readonly concurrency?: number;
  /** Records read per page of READY volumes. @default 50 */
  readonly pageSize?: number;
}

/**
 * Checks every READY volume, newest first, a page at a time with at most `concurrency` checks
 * at once (each check makes a dozen AWS and Kubernetes reads; many at once would be throttled).
 * One volume's failure never stops the others: it is counted and the volume keeps its last
 * recorded health.
 */
export async function checkAllVolumes(
  deps: RecordedCheckDependencies,
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
      failed.push({
        volumeId: record.id,
        error: `${(error as Error).name}: ${(error as Error).message}`,
      });
    }
  }

  let nextToken: string | undefined;
  do {
    const page = await deps.records.list({
      status: 'READY',
      limit: pageSize,
      ...(nextToken ? { nextToken } : {}),
    });
    const queue = [...page.items];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let record = queue.shift(); record; record = queue.shift()) await checkOne(record);
      }),
    );
    nextToken = page.nextToken;
  } while (nextToken);
  return { checked, healthy, drifted, newlyDrifted, skipped, failed };
}
