import { memoizeReads, promiseMemo } from '../aws/memoized-reads.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { VolumeRecordStateError } from '../errors.ts';
import type { HealthKubernetesReader } from '../health/check.ts';
import { checkAndRecordHealth, type RecordedCheckDependencies } from '../health/record-health.ts';
import type { ClusterEndpoint } from '../kube/client.ts';
import type { StalePendingOutcome } from '../settle/settle-execution.ts';
import type { VolumeRecord, VolumeStatus } from '../volume/record.ts';

/** What checking one batch of READY volumes found. */
export interface HealthBatchSummary {
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

/** How one scheduled run went. */
export interface HealthSweepSummary extends HealthBatchSummary {
  /** The batches the READY volumes were checked in. */
  readonly batches: number;
  /**
   * READY volumes left for the next run: their batch would not have finished before the run's
   * deadline. Each run starts with the volumes checked longest ago, so every one is reached.
   */
  readonly deferred: number;
  /** PENDING volumes found stuck and reconciled: restarted, settled or failed. */
  readonly stalePending: ReadonlyArray<{
    readonly volumeId: string;
    readonly outcome: StalePendingOutcome;
  }>;
}

/**
 * The sweep's dependencies: a recorded check's; how to reconcile a PENDING record (the
 * handler passes `settleStalePending` bound to its clients), without which PENDING volumes
 * are not paged; and where a batch of READY volumes is checked (CheckVolumes invokes
 * CheckVolumeBatch), by default here with {@link checkVolumeBatch} and reads memoized per batch.
 */
export interface HealthSweepDependencies extends RecordedCheckDependencies {
  readonly reconcilePending?: (record: VolumeRecord) => Promise<StalePendingOutcome>;
  readonly checkBatch?: (records: readonly VolumeRecord[]) => Promise<HealthBatchSummary>;
}

export interface HealthSweepOptions {
  /** Checks running at once within a batch. @default 4 */
  readonly concurrency?: number;
  /**
   * Batches running at once (each its own Lambda invocation in AWS). Three: at four checks
   * each, the batches keep EFS's describe rate busy (the AWS model's 20 a second; a cycle over
   * 1,000 file systems is bound by it: npm run bench, fleet) without their retries running
   * out; more only adds throttled calls. @default 3
   */
  readonly batchConcurrency?: number;
  /** Volumes per batch at most. @default 100 */
  readonly batchSize?: number;
  /** Records read per page of READY volumes. @default 100 */
  readonly pageSize?: number;
  /**
   * Milliseconds left in the run (the handler's `getRemainingTimeInMillis`) and how many a
   * batch needs: no batch starts with less left. @default no deadline
   */
  readonly deadline?: { readonly remainingMs: () => number; readonly batchMs: number };
}

/** Every record of one status, newest first, a page at a time. */
async function recordsOf(
  deps: RecordedCheckDependencies,
  status: VolumeStatus,
  pageSize: number,
): Promise<VolumeRecord[]> {
  const records: VolumeRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.records.list({
      status,
      limit: pageSize,
      ...(nextToken ? { nextToken } : {}),
    });
    records.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return records;
}

/**
 * The READY volumes in batches of at most `batchSize`: one cluster's volumes together, and
 * within a cluster one file system's, so a batch reads each cluster, Fargate profile, file
 * system, policy, mount target list and access point list once for all its volumes. A file
 * system with more volumes than a batch holds spreads over several.
 */
export function planHealthBatches(
  records: readonly VolumeRecord[],
  batchSize = 100,
): VolumeRecord[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`a batch holds at least one volume, not ${batchSize}`);
  }
  const groups = new Map<string, VolumeRecord[]>();
  for (const record of records) {
    const key = `${record.clusterName}\u0000${record.resources.fileSystemId ?? record.id}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const batches: VolumeRecord[][] = [];
  let current: VolumeRecord[] = [];
  let currentCluster: string | undefined;
  for (const [, group] of ordered) {
    const cluster = group[0]?.clusterName;
    // A new cluster, or a file system that would not fit whole: a new batch.
    if (
      current.length > 0 &&
      (cluster !== currentCluster || current.length + group.length > batchSize)
    ) {
      batches.push(current);
      current = [];
    }
    currentCluster = cluster;
    for (const record of group) {
      if (current.length === batchSize) {
        batches.push(current);
        current = [];
      }
      current.push(record);
    }
  }
  if (current.length > 0) batches.push(current);
  // The batches whose volumes were checked longest ago (or never) first.
  const oldest = (batch: readonly VolumeRecord[]) =>
    batch.map((record) => record.health?.checkedAt ?? '').sort()[0] ?? '\uffff';
  return batches
    .map((batch) => ({ batch, oldest: oldest(batch) }))
    .sort((a, b) => (a.oldest < b.oldest ? -1 : a.oldest > b.oldest ? 1 : 0))
    .map(({ batch }) => batch);
}

/**
 * The dependencies of one batch: the same clients with their reads memoized for the batch
 * (memoized-reads.ts), and one Kubernetes reader per cluster.
 */
export function batchDependencies(deps: RecordedCheckDependencies): RecordedCheckDependencies {
  const reader = promiseMemo<HealthKubernetesReader>();
  return {
    ...deps,
    eks: memoizeReads(deps.eks),
    ec2: memoizeReads(deps.ec2),
    efs: memoizeReads(deps.efs),
    kubernetes: (cluster: ClusterEndpoint) =>
      reader(`${cluster.name} ${cluster.endpoint}`, () => deps.kubernetes(cluster)),
  };
}

const NOTHING_CHECKED: HealthBatchSummary = {
  checked: 0,
  healthy: 0,
  drifted: 0,
  newlyDrifted: [],
  skipped: 0,
  failed: [],
};

const errorText = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

/**
 * Checks a batch of READY volumes with at most `concurrency` checks at once, recording each
 * one's health. One volume's failure never stops the others: it is counted and the volume
 * keeps its last recorded health. Pass {@link batchDependencies} so the batch reads what its
 * volumes share once.
 */
export async function checkVolumeBatch(
  deps: RecordedCheckDependencies,
  records: readonly VolumeRecord[],
  options: { readonly concurrency?: number } = {},
): Promise<HealthBatchSummary> {
  let checked = 0;
  let healthy = 0;
  let drifted = 0;
  let skipped = 0;
  const newlyDrifted: string[] = [];
  const failed: Array<{ volumeId: string; error: string }> = [];
  await mapWithConcurrency(records, options.concurrency ?? 4, async (record) => {
    try {
      const { health, announced } = await checkAndRecordHealth(deps, record);
      checked += 1;
      if (health.state === 'HEALTHY') healthy += 1;
      else drifted += 1;
      if (announced) newlyDrifted.push(record.id);
    } catch (error) {
      if (error instanceof VolumeRecordStateError) skipped += 1;
      else failed.push({ volumeId: record.id, error: errorText(error) });
    }
  });
  return { checked, healthy, drifted, newlyDrifted, skipped, failed };
}

/**
 * Checks every READY volume: read a page at a time, planned into batches by cluster and file
 * system ({@link planHealthBatches}), the batches checked `batchConcurrency` at once through
 * `checkBatch` (in AWS each is a CheckVolumeBatch invocation, so the fleet's checks spread over
 * several execution environments, and a run's length is bound by the AWS read rates, not by one
 * invocation's 15 minutes). A batch that fails whole (its invocation failed) counts each
 * of its volumes as failed; the next run checks them again.
 *
 * Then, given `reconcilePending`, every PENDING volume: one whose POST never got its execution
 * going (or whose execution ended unsettled) would stay PENDING forever, as no event will come.
 */
export async function checkAllVolumes(
  deps: HealthSweepDependencies,
  options: HealthSweepOptions = {},
): Promise<HealthSweepSummary> {
  const concurrency = options.concurrency ?? 4;
  const pageSize = options.pageSize ?? 100;
  const checkBatch =
    deps.checkBatch ??
    ((records: readonly VolumeRecord[]) =>
      checkVolumeBatch(batchDependencies(deps), records, { concurrency }));
  const batches = planHealthBatches(
    await recordsOf(deps, 'READY', pageSize),
    options.batchSize ?? 100,
  );
  let deferred = 0;
  const { deadline } = options;
  const outcomes = await mapWithConcurrency(batches, options.batchConcurrency ?? 3, (batch) => {
    if (deadline && deadline.remainingMs() < deadline.batchMs) {
      deferred += batch.length;
      return Promise.resolve(NOTHING_CHECKED);
    }
    return checkBatch(batch).catch(
      (error): HealthBatchSummary => ({
        ...NOTHING_CHECKED,
        failed: batch.map((record) => ({ volumeId: record.id, error: errorText(error) })),
      }),
    );
  });
  const stalePending: Array<{ volumeId: string; outcome: StalePendingOutcome }> = [];
  const pendingFailed: Array<{ volumeId: string; error: string }> = [];
  const { reconcilePending } = deps;
  if (reconcilePending) {
    await mapWithConcurrency(
      await recordsOf(deps, 'PENDING', pageSize),
      concurrency,
      async (record) => {
        try {
          const outcome = await reconcilePending(record);
          if (outcome !== 'not-stale' && outcome !== 'running') {
            stalePending.push({ volumeId: record.id, outcome });
          }
        } catch (error) {
          pendingFailed.push({ volumeId: record.id, error: errorText(error) });
        }
      },
    );
  }
  return {
    batches: batches.length,
    deferred,
    checked: sum(outcomes, (outcome) => outcome.checked),
    healthy: sum(outcomes, (outcome) => outcome.healthy),
    drifted: sum(outcomes, (outcome) => outcome.drifted),
    skipped: sum(outcomes, (outcome) => outcome.skipped),
    newlyDrifted: outcomes.flatMap((outcome) => outcome.newlyDrifted),
    failed: [...outcomes.flatMap((outcome) => outcome.failed), ...pendingFailed],
    stalePending,
  };
}

function sum<Item>(items: readonly Item[], of: (item: Item) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
