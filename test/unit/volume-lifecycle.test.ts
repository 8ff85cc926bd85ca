import { describe, expect, it } from 'vitest';
import { openapiDocument } from '../../functions/generated/openapi-schemas.ts';
import {
  ALL_STATUSES,
  INITIAL_STATUS,
  type LifecycleActor,
  type LifecycleEvent,
  TRANSITIONS,
  VOLUME_STATUSES,
  type VolumeStatus,
} from '../../functions/lib/volume/lifecycle.ts';
import { OPERATIONS } from '../../functions/lib/workflow/execution.ts';

const EVENTS = Object.keys(TRANSITIONS) as LifecycleEvent[];

/** The moves out of `status` to another status (or to no record), with their events. */
function exitsOf(status: VolumeStatus): LifecycleEvent[] {
  return EVENTS.filter((event) => {
    const { from, to } = TRANSITIONS[event];
    return (
      (from as readonly VolumeStatus[]).includes(status) &&
      (to.length === 0 || to.some((target) => target !== status))
    );
  });
}

function causedBy(event: LifecycleEvent, actor: LifecycleActor): boolean {
  return (TRANSITIONS[event].by as readonly LifecycleActor[]).includes(actor);
}

function isSettled(status: VolumeStatus): boolean {
  return VOLUME_STATUSES[status].settled;
}

describe('the volume lifecycle (functions/lib/volume/lifecycle.ts)', () => {
  it("declares openapi.yaml's VolumeStatus enum, in its order", () => {
    // Assess
    expect(ALL_STATUSES).toEqual(openapiDocument.components.schemas.VolumeStatus.enum);
  });

  it('reaches every status from the initial one', () => {
    // Prepare
    const reached = new Set<VolumeStatus>([INITIAL_STATUS]);
    let frontier: VolumeStatus[] = [INITIAL_STATUS];

    // Act
    while (frontier.length > 0) {
      frontier = frontier.flatMap((status) =>
        exitsOf(status)
          .flatMap((event) => TRANSITIONS[event].to as readonly VolumeStatus[])
          .filter((target) => !reached.has(target))
          .map((target) => {
            reached.add(target);
            return target;
          }),
      );
    }

    // Assess
    expect([...reached].sort()).toEqual([...ALL_STATUSES].sort());
  });

  it('starts a volume only from no record, and only as PENDING', () => {
    // Act
    const fromNothing = EVENTS.filter((event) => TRANSITIONS[event].from.length === 0);

    // Assess
    expect(fromNothing).toEqual(['requested']);
    expect(TRANSITIONS.requested.to).toEqual([INITIAL_STATUS]);
    expect(INITIAL_STATUS).toBe('PENDING');
  });

  it('lets a settlement end every status in between, so no volume stays there when its execution stops', () => {
    // Prepare
    const inBetween = ALL_STATUSES.filter((status) => !isSettled(status));

    // Act
    const unsettleable = inBetween.filter(
      (status) => !exitsOf(status).some((event) => causedBy(event, 'settlement')),
    );

    // Assess
    expect(inBetween).toEqual(['PENDING', 'PROVISIONING', 'ROLLING_BACK', 'DELETING', 'REPAIRING']);
    expect(unsettleable).toEqual([]);
  });

  it('has no way out of DELETED, and none out of another settled status but a request, or the rollback of the provisioning that made it READY', () => {
    // Act
    const deadEnds = ALL_STATUSES.filter((status) => exitsOf(status).length === 0);
    const unrequested = ALL_STATUSES.filter(isSettled).flatMap((status) =>
      exitsOf(status)
        .filter((event) => TRANSITIONS[event].by.some((actor) => actor !== 'request'))
        .map((event) => `${status}: ${event}`),
    );

    // Assess
    expect(deadEnds).toEqual(['DELETED']);
    expect(unrequested).toEqual(['READY: rollbackStarted']);
  });

  it('lets a request start a workflow only on a volume at rest, never on one a workflow works on', () => {
    // Prepare
    const starting = EVENTS.filter(
      (event) =>
        causedBy(event, 'request') && TRANSITIONS[event].to.some((target) => !isSettled(target)),
    );

    // Act
    const busyStarts = starting.flatMap((event) =>
      (TRANSITIONS[event].from as readonly VolumeStatus[])
        .filter((status) => !isSettled(status))
        .map((status) => `${event} from ${status}`),
    );

    // Assess
    expect(starting).toEqual(['requested', 'deleteRequested', 'repairRequested']);
    expect(busyStarts).toEqual([]);
  });

  it('lets DELETE clean up every settled status but DELETED, as the DELETE of a FAILED volume does', () => {
    // Act
    const deletable = ALL_STATUSES.filter(isSettled).filter((status) =>
      exitsOf(status).includes('deleteRequested'),
    );

    // Assess
    expect(deletable).toEqual(['READY', 'FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED']);
  });

  it('frees the claim exactly where the volume can hold nothing more: FAILED and DELETED', () => {
    // Act
    const released = ALL_STATUSES.filter((status) => !VOLUME_STATUSES[status].live);

    // Assess
    expect(released).toEqual(['FAILED', 'DELETED']);
  });

  it("lets each workflow's steps act in the statuses of its own moves, and delete only while ROLLING_BACK or DELETING", () => {
    // Assess
    expect(OPERATIONS.provision.statuses).toEqual([
      'PENDING',
      'PROVISIONING',
      'READY',
      'ROLLING_BACK',
      'FAILED',
      'ROLLBACK_FAILED',
    ]);
    expect(OPERATIONS.provision.cleanupStatuses).toEqual(['ROLLING_BACK']);
    expect([...OPERATIONS.deprovision.statuses].sort()).toEqual(
      ['DELETING', 'DELETED', 'DELETE_FAILED', 'ROLLING_BACK', 'FAILED', 'ROLLBACK_FAILED'].sort(),
    );
    expect([...OPERATIONS.deprovision.cleanupStatuses].sort()).toEqual([
      'DELETING',
      'ROLLING_BACK',
    ]);
    expect(OPERATIONS.repair.statuses).toEqual(['READY', 'REPAIRING']);
    expect(OPERATIONS.repair.cleanupStatuses).toEqual([]);
  });
});
