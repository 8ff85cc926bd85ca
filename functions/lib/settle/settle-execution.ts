import { randomBytes } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { errorName } from '../aws/transient.ts';
import { VolumeRecordStateError } from '../errors.ts';
import type { KubernetesReader } from '../kube/read-client.ts';
import type { VolumeMetrics } from '../metrics.ts';
import { allowedFrom } from '../volume/lifecycle.ts';
import { announceVolume } from '../volume/lifecycle-events.ts';
import {
  type LeftoverResource,
  retainsFileSystem,
  type VolumeFailure,
  type VolumeRecord,
  type VolumeRecordStore,
  type VolumeStatus,
} from '../volume/record.ts';
import {
  type ExecutionStatus,
  type ExecutionStatusChangeDetail,
  executionArnOf,
  UNSETTLED_END_STATUSES,
  volumeIdOf,
} from '../workflow/execution-status-change.ts';
import { findLeftovers, uncheckedReason } from '../workflow/leftovers.ts';
import { failedStep } from '../workflow/lifecycle-steps.ts';
import { failUnstartedProvisioning, startExecution } from '../workflow/workflow-start.ts';

/** What settling needs; the handler builds it from module-level clients. */
export interface SettleDependencies {
  readonly records: VolumeRecordStore;
  readonly efs: EFSClient;
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly events: EventBridgeClient;
  /** A read-only view of the volume's cluster (its PV and claim are leftovers too). */
  readonly kubernetes: (clusterName: string) => Promise<KubernetesReader>;
  readonly metrics: VolumeMetrics;
  readonly settings: {
    readonly eventBusName: string;
    readonly provisionStateMachineArn: string;
    readonly deprovisionStateMachineArn: string;
    /** Without it, repair executions are none of this service's (@default undefined). */
    readonly repairStateMachineArn?: string;
  };
}

export type SettleOutcome =
  | { readonly outcome: 'settled'; readonly volumeId: string; readonly status: VolumeStatus }
  | {
      readonly outcome: 'cleaning-up';
      readonly volumeId: string;
      /** The deprovision execution that cleans up; its end settles the volume. */
      readonly executionName: string;
    }
  | { readonly outcome: 'ignored'; readonly reason: string; readonly volumeId?: string };

/**
 * How the end of each workflow's execution settles its volume (functions/lib/volume/
 * lifecycle.ts): from the record statuses such an execution leaves behind when it ends
 * unsettled; a deprovision execution leaves DELETING, or ROLLING_BACK when it cleaned up after
 * a failed provisioning.
 */
const END_SETTLEMENT = {
  provision: 'provisionEndSettled',
  deprovision: 'deprovisionEndSettled',
} as const;

/**
 * What settling does with a volume an execution left in between:
 * - `FAILED`: a provisioning, or its cleanup, left nothing
 * - `CLEAN_UP`: a provisioning left resources: a deprovision execution deletes them, with its
 *   retries, and ends the volume FAILED (or ROLLBACK_FAILED if it cannot finish)
 * - `ROLLBACK_FAILED`: resources are left and nothing more will clean them up: the cleanup
 *   itself ended unsettled (never a second one: no loop), or the caller starts no cleanup
 * - `DELETE_FAILED`: a deletion someone asked for ended unsettled
 */
export type Settlement = 'FAILED' | 'CLEAN_UP' | 'ROLLBACK_FAILED' | 'DELETE_FAILED';

/**
 * Decides how an execution's end settles its volume, from the workflow it ran, the status it
 * left the record in, and whether anything of the volume is left.
 *
 * @param startsCleanup - whether leftovers of a provisioning are handed to a cleanup
 *   @default true
 */
export function settlementOf(
  workflow: 'provision' | 'deprovision',
  status: VolumeStatus,
  leftovers: number,
  startsCleanup = true,
): Settlement {
  // A deprovision execution that left ROLLING_BACK was the cleanup of a failed provisioning.
  if (workflow === 'deprovision' && status !== 'ROLLING_BACK') return 'DELETE_FAILED';
  if (leftovers === 0) return 'FAILED';
  return workflow === 'provision' && startsCleanup ? 'CLEAN_UP' : 'ROLLBACK_FAILED';
}

/** How the execution ended, as the record's failure shows it. */
function endingOf(detail: ExecutionStatusChangeDetail, workflow: string): VolumeFailure {
  const execution = `the ${workflow} execution ${detail.name}`;
  const cause = detail.cause ? `: ${detail.cause}` : '';
  const described: Record<string, { name: string; message: string }> = {
    ABORTED: { name: 'ExecutionAborted', message: `${execution} was stopped${cause}` },
    TIMED_OUT: { name: 'States.Timeout', message: `${execution} timed out${cause}` },
  };
  const known = described[detail.status] ?? {
    name: detail.error || 'ExecutionFailed',
    message: `${execution} failed outside its Catch${cause}`,
  };
  return { step: 'unknown', ...known, message: known.message.slice(0, 1000) };
}

/**
 * The step the execution was in when it ended: the last one not SUCCEEDED, else (stopped in
 * a Wait state) the last one started.
 */
function stepAtEnd(record: VolumeRecord): string {
  const failed = failedStep(record);
  if (failed !== 'unknown') return failed;
  const started = Object.entries(record.steps ?? {}).sort(([, a], [, b]) =>
    a.startedAt.localeCompare(b.startedAt),
  );
  return started.at(-1)?.[0] ?? 'StartExecution';
}

/**
 * Every leftover of the volume, Kubernetes included when its cluster answers. A cluster that
 * cannot be read is listed as unchecked once ApplyManifests ran, never silently dropped.
 */
async function leftoversOf(
  deps: SettleDependencies,
  record: VolumeRecord,
): Promise<LeftoverResource[]> {
  let kubernetes: KubernetesReader | undefined;
  let unreachable: LeftoverResource | undefined;
  try {
    kubernetes = await deps.kubernetes(record.spec.clusterName);
  } catch (error) {
    if (record.steps?.ApplyManifests) {
      unreachable = {
        type: 'Kubernetes',
        id: `${record.spec.namespace}/${record.spec.name}`,
        reason: uncheckedReason(error),
      };
    }
  }
  const found = await findLeftovers(
    { volumeId: record.id, spec: record.spec },
    deps,
    kubernetes,
    record.resources,
  );
  return unreachable ? [unreachable, ...found] : found;
}

/**
 * What deletion keeps on purpose (a retained file system, its mount targets and group), decided
 * as the deletion steps decide it (`retainsFileSystem`), records from before the flag included.
 */
export function retainedIds(record: VolumeRecord): Set<string> {
  if (!retainsFileSystem(record) || record.spec.fileSystemId) return new Set();
  const { resources } = record;
  return new Set(
    [resources.fileSystemId, resources.securityGroupId, ...(resources.mountTargetIds ?? [])].filter(
      (id): id is string => id !== undefined,
    ),
  );
}

/**
 * A repair execution that ended unsettled: the volume it left REPAIRING (and still names it)
 * is READY again with the repair FAILED, as RecordRepairFailure would have left it, and
 * `Volume Repair Failed` is raised. Its health stays what the last check recorded.
 */
async function settleRepairEnd(
  deps: SettleDependencies,
  detail: ExecutionStatusChangeDetail,
  volumeId: string,
): Promise<SettleOutcome> {
  const record = await deps.records.get(volumeId);
  if (
    !record ||
    !allowedFrom('repairEnded').includes(record.status) ||
    record.repairExecutionName !== detail.name
  ) {
    return {
      outcome: 'ignored',
      volumeId,
      reason: record
        ? `the record is ${record.status} and names ${record.repairExecutionName ?? 'no'} repair`
        : 'no record',
    };
  }
  const ending = { ...endingOf(detail, 'repair'), step: stepAtEnd(record) };
  let settled: VolumeRecord;
  try {
    settled = await deps.records.endRepair(volumeId, detail.name, {
      status: 'FAILED',
      error: ending,
    });
  } catch (error) {
    if (error instanceof VolumeRecordStateError) {
      return { outcome: 'ignored', volumeId, reason: 'the record moved on while settling' };
    }
    throw error;
  }
  await announceVolume(deps, 'Volume Repair Failed', settled);
  return { outcome: 'settled', volumeId, status: settled.status };
}

/**
 * Hands what a provisioning execution left to a deprovision execution (its retries, its
 * ending FAILED or ROLLBACK_FAILED), as DELETE would: the record becomes ROLLING_BACK and names
 * it. If it cannot be started, nothing will clean up: the volume is ROLLBACK_FAILED with its
 * leftovers listed, for a DELETE.
 */
async function startCleanup(
  deps: SettleDependencies,
  detail: ExecutionStatusChangeDetail,
  record: VolumeRecord,
  ending: VolumeFailure,
  leftovers: LeftoverResource[],
): Promise<SettleOutcome> {
  const volumeId = record.id;
  const executionName = `${volumeId}-cleanup-${randomBytes(4).toString('hex')}`;
  const cleaning = await deps.records.beginCleanup(
    volumeId,
    { provisionExecutionName: detail.name },
    executionName,
    ending,
  );
  if (!cleaning) {
    return { outcome: 'ignored', volumeId, reason: 'the record moved on while settling' };
  }
  try {
    await startExecution(deps, deps.settings.deprovisionStateMachineArn, executionName, {
      volumeId,
      operation: 'deprovision',
    });
    return { outcome: 'cleaning-up', volumeId, executionName };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const settled = await deps.records.settleExecution(
      volumeId,
      { event: 'cleanupStartFailed', field: 'deleteExecutionName', executionName },
      'ROLLBACK_FAILED',
      {
        error: cleaning.error ?? ending,
        rollbackError: {
          step: 'StartExecution',
          name: errorName(error),
          message: `the cleanup could not be started: ${reason}`.slice(0, 1000),
        },
        leftovers,
      },
    );
    if (!settled) {
      return { outcome: 'ignored', volumeId, reason: 'the record moved on while settling' };
    }
    await announceVolume(deps, 'Volume Provisioning Failed', settled);
    deps.metrics.volumeStatus('ROLLBACK_FAILED');
    return { outcome: 'settled', volumeId, status: 'ROLLBACK_FAILED' };
  }
}

/**
 * Settles the record of an execution that ended FAILED, TIMED_OUT or ABORTED (a "Step
 * Functions Execution Status Change" event), which the workflow itself could not: stopped, out
 * of time, or failed outside a Catch. Acts only while the record is still in an in-between
 * status and still names that execution; then ({@link settlementOf}):
 * - provisioning (PENDING, PROVISIONING, ROLLING_BACK): FAILED when nothing of the volume is
 *   left; else the deprovision workflow is started to clean up (the record ROLLING_BACK and
 *   naming it in `deleteExecutionName`), and ends the volume FAILED, or ROLLBACK_FAILED listing
 *   what it could not delete, with `Volume Provisioning Failed`
 * - that cleanup, ended unsettled in turn (ROLLING_BACK): FAILED when nothing is left, else
 *   ROLLBACK_FAILED listing every leftover; never a second cleanup
 * - deprovisioning (DELETING): DELETE_FAILED listing what is left but what deletion keeps on
 *   purpose; `Volume Deletion Failed`
 * - repair (REPAIRING, named in `repairExecutionName`): READY with the repair FAILED;
 *   `Volume Repair Failed`
 *
 * Idempotent: the writes are conditional, so a repeated event, or an end the workflow already
 * recorded, changes nothing and starts no second cleanup. A DELETE afterwards cleans up what
 * is listed.
 *
 * @param options.startsCleanup - false: a provisioning's leftovers are listed (ROLLBACK_FAILED)
 *   rather than handed to a cleanup, for a caller that may not start the deprovision workflow
 *   @default true
 */
export async function settleExecutionEnd(
  deps: SettleDependencies,
  detail: ExecutionStatusChangeDetail,
  options: { readonly startsCleanup?: boolean } = {},
): Promise<SettleOutcome> {
  if (!(UNSETTLED_END_STATUSES as readonly ExecutionStatus[]).includes(detail.status)) {
    return { outcome: 'ignored', reason: `the execution is ${detail.status}` };
  }
  const { repairStateMachineArn } = deps.settings;
  const repair =
    repairStateMachineArn !== undefined && detail.stateMachineArn === repairStateMachineArn;
  const workflow =
    detail.stateMachineArn === deps.settings.provisionStateMachineArn
      ? 'provision'
      : detail.stateMachineArn === deps.settings.deprovisionStateMachineArn
        ? 'deprovision'
        : undefined;
  if (!workflow && !repair)
    return { outcome: 'ignored', reason: 'not an execution of this service' };
  const volumeId = volumeIdOf(detail);
  if (!volumeId) return { outcome: 'ignored', reason: 'no volume id in the execution' };
  if (!workflow) return settleRepairEnd(deps, detail, volumeId);
  const record = await deps.records.get(volumeId);
  const field = workflow === 'provision' ? 'executionName' : 'deleteExecutionName';
  const named = record?.[field] ?? (workflow === 'provision' ? volumeId : undefined);
  const event = END_SETTLEMENT[workflow];
  if (!record || named !== detail.name || !allowedFrom(event).includes(record.status)) {
    return {
      outcome: 'ignored',
      volumeId,
      reason: record
        ? `the record is ${record.status} and names ${named ?? 'no'} execution`
        : 'no record',
    };
  }
  if (workflow === 'provision' && record.deleteExecutionName !== undefined) {
    return {
      outcome: 'ignored',
      volumeId,
      reason: `its cleanup ${record.deleteExecutionName} settles the volume`,
    };
  }
  const ending = { ...endingOf(detail, workflow), step: stepAtEnd(record) };
  const expected = { event, field, executionName: detail.name } as const;
  const found = await leftoversOf(deps, record);
  const kept = workflow === 'deprovision' ? retainedIds(record) : new Set<string>();
  const leftovers = found.filter((resource) => !kept.has(resource.id));
  const settlement = settlementOf(
    workflow,
    record.status,
    leftovers.length,
    options.startsCleanup ?? true,
  );
  if (settlement === 'CLEAN_UP') return startCleanup(deps, detail, record, ending, leftovers);
  let settled: VolumeRecord | undefined;
  if (settlement === 'DELETE_FAILED') {
    settled = await deps.records.settleExecution(volumeId, expected, 'DELETE_FAILED', {
      error: ending,
      leftovers,
    });
  } else if (settlement === 'FAILED') {
    settled = await deps.records.settleExecution(volumeId, expected, 'FAILED', {
      error: record.error ?? ending,
    });
  } else {
    const never = record.status !== 'ROLLING_BACK';
    settled = await deps.records.settleExecution(volumeId, expected, 'ROLLBACK_FAILED', {
      error: record.error ?? ending,
      rollbackError: never
        ? { ...ending, message: `rollback never ran: ${ending.message}`.slice(0, 1000) }
        : ending,
      leftovers,
    });
  }
  if (!settled) {
    return { outcome: 'ignored', volumeId, reason: 'the record moved on while settling' };
  }
  const status = settled.status as 'FAILED' | 'ROLLBACK_FAILED' | 'DELETE_FAILED';
  await announceVolume(
    deps,
    status === 'DELETE_FAILED' ? 'Volume Deletion Failed' : 'Volume Provisioning Failed',
    settled,
  );
  deps.metrics.volumeStatus(status);
  return { outcome: 'settled', volumeId, status };
}

/** How long a PENDING record may wait for its execution before it counts as stuck. */
export const STALE_PENDING_MILLISECONDS = 5 * 60_000;

export type StalePendingOutcome =
  | 'not-stale'
  | 'running'
  | 'restarted'
  | SettleOutcome['outcome']
  | 'failed';

/**
 * A PENDING record whose POST never got its execution going (the request function stopped
 * between the record and StartExecution): checks the execution named in the record, and
 * - it never started: starts it again, as the POST would have (same name, same input);
 *   if that fails too, the volume is FAILED with the reason and its claim released
 * - it ended without settling the record: settles it as the execution's end event would
 * - it runs, or the record is younger than `olderThanMs`: nothing to do
 *
 * For a periodic check (the scheduled health check can call it for every PENDING record).
 *
 * @param olderThanMs @default {@link STALE_PENDING_MILLISECONDS}
 */
export async function settleStalePending(
  deps: SettleDependencies,
  record: VolumeRecord,
  options: { readonly olderThanMs?: number; readonly now?: Date } = {},
): Promise<StalePendingOutcome> {
  const age = (options.now ?? new Date()).getTime() - Date.parse(record.createdAt);
  if (record.status !== 'PENDING' || !(age >= (options.olderThanMs ?? STALE_PENDING_MILLISECONDS)))
    return 'not-stale';
  const name = record.executionName ?? record.id;
  const stateMachineArn = deps.settings.provisionStateMachineArn;
  let execution: ExecutionStatusChangeDetail | undefined;
  try {
    const described = await deps.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, name) }),
    );
    execution = {
      executionArn: described.executionArn ?? '',
      stateMachineArn,
      name,
      status: described.status as ExecutionStatus,
      input: described.input ?? null,
      error: described.error ?? null,
      cause: described.cause ?? null,
    };
  } catch (error) {
    if (errorName(error) !== 'ExecutionDoesNotExist') throw error;
  }
  if (execution?.status === 'RUNNING' || execution?.status === 'SUCCEEDED') return 'running';
  // The scheduled check may start provisioning only: a PENDING record's execution never ran a
  // step, so it rarely left anything, and what it did is listed for a DELETE.
  if (execution) {
    return (await settleExecutionEnd(deps, execution, { startsCleanup: false })).outcome;
  }
  try {
    await startExecution(deps, stateMachineArn, name, {
      volumeId: record.id,
      operation: 'provision',
    });
    return 'restarted';
  } catch (error) {
    const failed = await failUnstartedProvisioning(deps.records, record.id, name, error);
    if (!failed) return 'ignored';
    await announceVolume(deps, 'Volume Provisioning Failed', failed);
    deps.metrics.volumeStatus('FAILED');
    return 'failed';
  }
}
