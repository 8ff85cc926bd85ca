// The volume lifecycle, declared once: every status, what each means to the code that reads it,
// and every move between statuses, named by the event that causes it. record.ts builds its
// write conditions from it, the workflows, settlement and the API decide from it, and
// docs/api.md's status diagram is generated from it (`node scripts/lifecycle-diagram.ts`).
import type { components } from '../../generated/openapi-types.ts';

export type VolumeStatus = components['schemas']['VolumeStatus'];

/** What a status says about the volume, for the code that decides on it. */
export interface StatusTraits {
  /**
   * At rest: no execution works on the volume, so only a caller's request (DELETE, repair)
   * moves it on. `efs-volumes --wait` stops at these.
   */
  readonly settled: boolean;
  /**
   * The volume may hold AWS resources: it holds its claim and counts in its quotas. A move to
   * a status that is not live releases the claim and uncounts it (record.ts).
   */
  readonly live: boolean;
  /**
   * Pods may still mount its file system through its access point: another volume's deletion
   * keeps a file system this volume created while it is in such a status.
   */
  readonly usesFileSystem: boolean;
  /** A workflow deletes the volume's resources while it is in this status, and only then. */
  readonly deletesResources: boolean;
}

/** Every status of openapi.yaml's `VolumeStatus`, in its order; the compiler wants each. */
export const VOLUME_STATUSES = {
  PENDING: { settled: false, live: true, usesFileSystem: true, deletesResources: false },
  PROVISIONING: { settled: false, live: true, usesFileSystem: true, deletesResources: false },
  READY: { settled: true, live: true, usesFileSystem: true, deletesResources: false },
  ROLLING_BACK: { settled: false, live: true, usesFileSystem: false, deletesResources: true },
  FAILED: { settled: true, live: false, usesFileSystem: false, deletesResources: false },
  ROLLBACK_FAILED: { settled: true, live: true, usesFileSystem: false, deletesResources: false },
  DELETING: { settled: false, live: true, usesFileSystem: false, deletesResources: true },
  DELETED: { settled: true, live: false, usesFileSystem: false, deletesResources: false },
  DELETE_FAILED: { settled: true, live: true, usesFileSystem: false, deletesResources: false },
  REPAIRING: { settled: false, live: true, usesFileSystem: true, deletesResources: false },
} as const satisfies Record<VolumeStatus, StatusTraits>;

/**
 * Who causes a move: a caller's request to the API (`request`), a health check (`check`), a
 * step of one of the three workflows, or the settlement of an execution that ended without
 * settling its volume (functions/lib/settle).
 */
export type LifecycleActor =
  | 'request'
  | 'check'
  | 'provision'
  | 'deprovision'
  | 'repair'
  | 'settlement';

export interface Transition {
  /** The statuses the move may start from; none: the volume has no record yet. */
  readonly from: readonly VolumeStatus[];
  /** The statuses it may write (which one, its cause decides); none: the record is removed. */
  readonly to: readonly VolumeStatus[];
  readonly by: readonly LifecycleActor[];
  /**
   * Whether record.ts writes it only while the volume is in one of `from` (a DynamoDB
   * condition). Otherwise the write takes any status: a workflow step writes it only in its
   * operation's statuses (functions/lib/workflow/execution.ts), in its state machine's order.
   */
  readonly conditional: boolean;
}

/**
 * Every move of a volume between statuses, named by its cause. A step that is retried writes
 * its status again: that is no move, and not listed.
 */
export const TRANSITIONS = {
  /** POST /volumes records the volume (record.ts `create`). */
  requested: { from: [], to: ['PENDING'], by: ['request'], conditional: true },
  /** A POST whose execution never started withdraws its record, as if never made. */
  withdrawn: { from: ['PENDING'], to: [], by: ['request'], conditional: true },
  /** A provisioning execution could not be started: nothing was built. */
  provisionStartFailed: {
    from: ['PENDING'],
    to: ['FAILED'],
    by: ['request', 'settlement'],
    conditional: true,
  },
  /** A provisioning step starts; a late retry never moves a READY volume back. */
  provisionStepStarted: {
    from: ['PENDING', 'PROVISIONING'],
    to: ['PROVISIONING'],
    by: ['provision'],
    conditional: true,
  },
  /** CompleteProvisioning: the claim is Bound and the mount targets available. */
  provisioned: { from: ['PROVISIONING'], to: ['READY'], by: ['provision'], conditional: false },
  /**
   * A provisioning step failed: BeginRollback. From PENDING when the first step failed before
   * it recorded its start; from READY when announcing `Volume Ready` failed.
   */
  rollbackStarted: {
    from: ['PENDING', 'PROVISIONING', 'READY'],
    to: ['ROLLING_BACK'],
    by: ['provision'],
    conditional: false,
  },
  /**
   * Rollback deleted everything: CompleteRollback, or the cleanup a settlement started
   * (deprovision workflow) at its end.
   */
  rolledBack: {
    from: ['ROLLING_BACK'],
    to: ['FAILED'],
    by: ['provision', 'deprovision'],
    conditional: false,
  },
  /** Rollback (or that cleanup) could not delete everything: the leftovers are listed. */
  rollbackFailed: {
    from: ['ROLLING_BACK'],
    to: ['ROLLBACK_FAILED'],
    by: ['provision', 'deprovision'],
    conditional: false,
  },
  /** A provisioning execution ended unsettled and left resources: a cleanup takes over. */
  cleanupStarted: {
    from: ['PENDING', 'PROVISIONING', 'ROLLING_BACK'],
    to: ['ROLLING_BACK'],
    by: ['settlement'],
    conditional: true,
  },
  /** That cleanup's execution could not be started: its leftovers are listed. */
  cleanupStartFailed: {
    from: ['ROLLING_BACK'],
    to: ['ROLLBACK_FAILED'],
    by: ['settlement'],
    conditional: true,
  },
  /**
   * A provisioning execution ended unsettled (stopped, timed out, failed outside a Catch):
   * FAILED when it left nothing, else ROLLBACK_FAILED when no cleanup is started.
   */
  provisionEndSettled: {
    from: ['PENDING', 'PROVISIONING', 'ROLLING_BACK'],
    to: ['FAILED', 'ROLLBACK_FAILED'],
    by: ['settlement'],
    conditional: true,
  },
  /**
   * A deprovision execution ended unsettled: a deletion DELETE_FAILED, a cleanup after a
   * failed provisioning (ROLLING_BACK) FAILED or ROLLBACK_FAILED. The write accepts either
   * start for each end; the settlement picks the end from the status it read.
   */
  deprovisionEndSettled: {
    from: ['DELETING', 'ROLLING_BACK'],
    to: ['DELETE_FAILED', 'FAILED', 'ROLLBACK_FAILED'],
    by: ['settlement'],
    conditional: true,
  },
  /** DELETE /volumes/{id}: a FAILED, ROLLBACK_FAILED or DELETE_FAILED volume is cleaned up again. */
  deleteRequested: {
    from: ['READY', 'FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'],
    to: ['DELETING'],
    by: ['request'],
    conditional: true,
  },
  /** The DELETE could not start its execution: the volume is back in the status it left. */
  deleteNotStarted: {
    from: ['DELETING'],
    to: ['READY', 'FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'],
    by: ['request'],
    conditional: false,
  },
  /** CompleteDeletion: nothing is left but what the volume kept on purpose. */
  deleted: { from: ['DELETING'], to: ['DELETED'], by: ['deprovision'], conditional: false },
  /** RecordDeletionFailure: the leftovers are listed, for another DELETE. */
  deletionFailed: {
    from: ['DELETING'],
    to: ['DELETE_FAILED'],
    by: ['deprovision'],
    conditional: false,
  },
  /** A health check records what it found; only a READY volume is checked. */
  healthChecked: { from: ['READY'], to: ['READY'], by: ['check'], conditional: true },
  /** POST /volumes/{id}/repair. */
  repairRequested: { from: ['READY'], to: ['REPAIRING'], by: ['request'], conditional: true },
  /** A repair step starts: only while its volume is still being repaired. */
  repairStepStarted: {
    from: ['REPAIRING'],
    to: ['REPAIRING'],
    by: ['repair'],
    conditional: true,
  },
  /**
   * The repair ended, well or not (its last step, its settlement, or its execution never
   * starting): READY again, with the repair's outcome.
   */
  repairEnded: {
    from: ['REPAIRING'],
    to: ['READY'],
    by: ['repair', 'request', 'settlement'],
    conditional: true,
  },
} as const satisfies Record<string, Transition>;

export type LifecycleEvent = keyof typeof TRANSITIONS;

/** The statuses `event` may write. */
export type TargetOf<E extends LifecycleEvent> = (typeof TRANSITIONS)[E]['to'][number];

/** The events that write exactly one status. */
export type SingleTargetEvent = {
  [E in LifecycleEvent]: (typeof TRANSITIONS)[E]['to'] extends readonly [VolumeStatus] ? E : never;
}[LifecycleEvent];

/** Every status, in openapi.yaml's order. */
export const ALL_STATUSES = Object.keys(VOLUME_STATUSES) as readonly VolumeStatus[];

/** The statuses `event` may start from. */
export function allowedFrom(event: LifecycleEvent): readonly VolumeStatus[] {
  return TRANSITIONS[event].from;
}

/** The one status `event` writes. */
export function targetOf<E extends SingleTargetEvent>(event: E): TargetOf<E> {
  return TRANSITIONS[event].to[0] as TargetOf<E>;
}

/** A new volume's status. */
export const INITIAL_STATUS = targetOf('requested');

/** The statuses whose trait is `value`, in openapi.yaml's order. */
export function statusesWhere(trait: keyof StatusTraits, value = true): readonly VolumeStatus[] {
  return ALL_STATUSES.filter((status) => VOLUME_STATUSES[status][trait] === value);
}

/** Every status the events move from or to, in openapi.yaml's order. */
export function statusesOf(events: readonly LifecycleEvent[]): readonly VolumeStatus[] {
  const touched = new Set<VolumeStatus>(
    events.flatMap((event) => [...TRANSITIONS[event].from, ...TRANSITIONS[event].to]),
  );
  return ALL_STATUSES.filter((status) => touched.has(status));
}

/** The events `actor` causes, in declaration order. */
export function eventsBy(actor: LifecycleActor): readonly LifecycleEvent[] {
  return (Object.keys(TRANSITIONS) as LifecycleEvent[]).filter((event) =>
    (TRANSITIONS[event].by as readonly LifecycleActor[]).includes(actor),
  );
}
