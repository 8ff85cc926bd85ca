import { ForeignExecutionError } from '../errors.ts';
import { eventsBy, type LifecycleActor, statusesOf, statusesWhere } from '../volume/lifecycle.ts';
import {
  retainsFileSystem,
  type VolumeRecord,
  type VolumeRecordStore,
  type VolumeStatus,
} from '../volume/record.ts';
import { withClassifiedErrors } from './run-step.ts';
import type { StepState, WorkflowOperation, WorkflowState } from './state.ts';

export type { WorkflowOperation } from './state.ts';

/** Which execution of an operation owns a volume, and when its steps may act. */
export interface OperationOwnership {
  /** The record field naming the one execution that runs this operation for the volume. */
  readonly executionField: 'executionName' | 'deleteExecutionName' | 'repairExecutionName';
  /** The statuses in which a step of this operation may run at all. */
  readonly statuses: readonly VolumeStatus[];
  /** The statuses in which its steps may delete the volume's resources. */
  readonly cleanupStatuses: readonly VolumeStatus[];
}

/**
 * An operation's ownership, from the volume lifecycle (functions/lib/volume/lifecycle.ts): its
 * steps act in every status the moves its workflow makes start from or write, since a step
 * retried after its write finds the status it wrote (a provision execution sees READY, FAILED
 * or ROLLBACK_FAILED when announcing that status failed and it went on to roll back or record
 * the failure; a deletion sees DELETED or DELETE_FAILED likewise). They delete resources only
 * in those of them that announce it (ROLLING_BACK, DELETING).
 */
function ownership(
  operation: WorkflowOperation & LifecycleActor,
  executionField: OperationOwnership['executionField'],
): OperationOwnership {
  const statuses = statusesOf(eventsBy(operation));
  const deleting = statusesWhere('deletesResources');
  return {
    executionField,
    statuses,
    cleanupStatuses: statuses.filter((status) => deleting.includes(status)),
  };
}

/**
 * The one table of who may act on a volume: the execution the record names for the
 * operation, in the statuses that operation passes through.
 * A deprovision execution also cleans up after a provisioning execution that ended unsettled
 * (stopped, timed out): the settlement names it in `deleteExecutionName` and leaves the volume
 * ROLLING_BACK, which it ends FAILED or ROLLBACK_FAILED ({@link cleansUpFailedProvision}).
 * A repair re-creates, never deletes; RecordRepairFailure may find the volume READY, already
 * handed back (it then records nothing).
 */
export const OPERATIONS: Readonly<Record<WorkflowOperation, OperationOwnership>> = {
  provision: ownership('provision', 'executionName'),
  deprovision: ownership('deprovision', 'deleteExecutionName'),
  repair: ownership('repair', 'repairExecutionName'),
};

/**
 * The statuses of a volume whose deprovision execution cleans up after a failed provisioning
 * rather than deletes a volume someone asked to delete: those of a rollback's end. DELETE only
 * ever moves a volume to DELETING, so a deletion never sees these; the cleanup starts
 * ROLLING_BACK and ends in one of the others.
 */
const FAILED_PROVISION_STATUSES = statusesOf(['rolledBack', 'rollbackFailed']);

/**
 * Whether a deprovision execution the record names cleans up after a failed provisioning
 * (settle-execution.ts started it): it then ends the volume FAILED or ROLLBACK_FAILED, never
 * DELETED, as a rollback would have.
 */
export function cleansUpFailedProvision(
  record: Pick<VolumeRecord, 'status'>,
  operation: WorkflowOperation,
): boolean {
  return operation === 'deprovision' && FAILED_PROVISION_STATUSES.includes(record.status);
}

/** The steps that delete a volume's resources (CheckMountTargetsDeleted only looks). */
export const CLEANUP_STEPS: ReadonlySet<string> = new Set([
  'DeleteManifests',
  'DeleteAccessPoint',
  'DeleteMountTargets',
  'DeleteFileSystem',
  'DeleteSecurityGroup',
]);

/**
 * Which execution runs a step, as the state machine says it: the name from the context object
 * (`$$.Execution.Name`) and the operation written in the ASL file, never the execution's input.
 */
export interface StepExecution {
  readonly name: string;
  readonly operation: WorkflowOperation;
}

/**
 * What every step Lambda receives: each Task's `Parameters` put the state under `state` and
 * the execution beside it, so the state's ResultPath merging is unchanged.
 */
export interface StepEvent {
  readonly state: WorkflowState;
  readonly execution: StepExecution;
}

function isOperation(value: unknown): value is WorkflowOperation {
  return typeof value === 'string' && Object.hasOwn(OPERATIONS, value);
}

/**
 * Why `record` refuses `execution` for `step`, or undefined when the execution owns it: the
 * execution the record names for the operation, in a status the operation acts in.
 */
export function refusalOf(
  record: VolumeRecord,
  execution: StepExecution,
  step: string,
): string | undefined {
  const ownership = OPERATIONS[execution.operation];
  const owner = record[ownership.executionField];
  if (owner !== execution.name) {
    return `execution ${execution.name} is not the ${execution.operation} execution of volume ${record.id}`;
  }
  if (!ownership.statuses.includes(record.status)) {
    return `volume ${record.id} is ${record.status}: no ${execution.operation} step runs now`;
  }
  if (CLEANUP_STEPS.has(step) && !ownership.cleanupStatuses.includes(record.status)) {
    return `volume ${record.id} is ${record.status}: ${step} deletes only while ${ownership.cleanupStatuses.join(' or ')}`;
  }
  return undefined;
}

/**
 * Reads the volume's record and vouches for the step: the running execution must be the one
 * the record names for its operation, in a status that operation acts in. The step then acts
 * on the record's spec and retain decision, whatever the execution's input said.
 *
 * @throws ForeignExecutionError when the event is not a state machine's, the volume has no
 *   record, or the record refuses the execution (nothing is written, the record included)
 * @throws TransientError when the record cannot be read for now
 */
export async function verifiedStepState(
  event: StepEvent,
  records: Pick<VolumeRecordStore, 'get'>,
  step: string,
): Promise<StepState> {
  const execution = event?.execution;
  const volumeId = event?.state?.volumeId;
  if (
    typeof execution?.name !== 'string' ||
    !isOperation(execution.operation) ||
    typeof volumeId !== 'string'
  ) {
    throw new ForeignExecutionError(
      `${step} was not invoked by a workflow of this service (no volumeId, execution name or operation)`,
    );
  }
  const record = await withClassifiedErrors(() => records.get(volumeId));
  if (!record) throw new ForeignExecutionError(`volume ${volumeId} has no record`);
  const refusal = refusalOf(record, execution, step);
  if (refusal) throw new ForeignExecutionError(refusal);
  return {
    ...event.state,
    volumeId,
    operation: execution.operation,
    executionName: execution.name,
    // Always set, from the record: an input that claimed it decides nothing.
    failedProvision: cleansUpFailedProvision(record, execution.operation),
    spec: record.spec,
    retainFileSystem: retainsFileSystem(record),
    resources: record.resources,
    ...(record.fileSystemSource ? { fileSystemSource: record.fileSystemSource } : {}),
    ...(record.pool ? { pool: record.pool } : {}),
  };
}
