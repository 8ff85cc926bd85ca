import { describe, expect, it } from 'vitest';
import { ForeignExecutionError, TransientError } from '../../functions/lib/errors.ts';
import type { VolumeRecord } from '../../functions/lib/volume/record.ts';
import {
  CLEANUP_STEPS,
  OPERATIONS,
  type StepEvent,
  verifiedStepState,
} from '../../functions/lib/workflow/execution.ts';
import { VOLUME_ID, volumeRecord, volumeSpec } from './fixtures.ts';

/** A record store that holds one record (or none). */
function recordsHolding(record: VolumeRecord | undefined) {
  const reads: string[] = [];
  return {
    reads,
    get: async (id: string) => {
      reads.push(id);
      return record?.id === id ? record : undefined;
    },
  };
}

function event(overrides: Partial<StepEvent['execution']> = {}, state = {}): StepEvent {
  return {
    state: { volumeId: VOLUME_ID, ...state },
    execution: { name: VOLUME_ID, operation: 'provision', ...overrides },
  };
}

describe('verifiedStepState', () => {
  it("acts on the record's spec and retain decision, not on what the state carries", async () => {
    // Prepare: the state carries a forged spec and retain flag; the record is the truth
    const spec = volumeSpec({ namespace: 'team-a', reclaimPolicy: 'Retain' });
    const records = recordsHolding(
      volumeRecord({
        spec,
        status: 'READY',
        retainFileSystem: true,
        resources: { fileSystemId: 'fs-1' },
      }),
    );
    const forged = {
      spec: volumeSpec({ namespace: 'kube-system' }),
      retainFileSystem: false,
      executionName: 'forged',
    };

    // Act
    const state = await verifiedStepState(event({}, forged), records, 'CompleteProvisioning');

    // Assess
    expect(state.spec).toEqual(spec);
    expect(state.retainFileSystem).toBe(true);
    expect(state.resources).toEqual({ fileSystemId: 'fs-1' });
    expect(state.executionName).toBe(VOLUME_ID);
    expect(state.operation).toBe('provision');
  });

  it('refuses a volume that has no record', async () => {
    // Act
    const refused = verifiedStepState(event(), recordsHolding(undefined), 'ResolveCluster');

    // Assess
    await expect(refused).rejects.toThrow(ForeignExecutionError);
    await expect(refused).rejects.toThrow(`volume ${VOLUME_ID} has no record`);
  });

  it('refuses an execution the record does not name for the operation', async () => {
    // Prepare
    const records = recordsHolding(volumeRecord({ status: 'PROVISIONING' }));

    // Act
    const refused = verifiedStepState(event({ name: 'someone-else' }), records, 'ResolveCluster');

    // Assess
    await expect(refused).rejects.toMatchObject({
      name: 'ForeignExecutionError',
      message: `execution someone-else is not the provision execution of volume ${VOLUME_ID}`,
    });
  });

  it("refuses a deletion named after the volume's provision execution", async () => {
    // Prepare: a READY volume; a deprovision execution takes the provision execution's name
    const records = recordsHolding(volumeRecord({ status: 'READY' }));

    // Act
    const refused = verifiedStepState(
      event({ name: VOLUME_ID, operation: 'deprovision' }),
      records,
      'DeleteFileSystem',
    );

    // Assess
    await expect(refused).rejects.toThrow(ForeignExecutionError);
  });

  it('lets a cleanup step delete only while the operation cleans up', async () => {
    // Prepare: the provision execution itself, but the volume is READY
    const records = recordsHolding(volumeRecord({ status: 'READY' }));

    // Act
    const refused = verifiedStepState(event(), records, 'DeleteFileSystem');
    const allowed = verifiedStepState(event(), records, 'BeginRollback');

    // Assess
    await expect(refused).rejects.toThrow(
      `volume ${VOLUME_ID} is READY: DeleteFileSystem deletes only while ROLLING_BACK`,
    );
    await expect(allowed).resolves.toMatchObject({ volumeId: VOLUME_ID });
  });

  it('runs a deletion step for the execution the record names while DELETING', async () => {
    // Prepare
    const records = recordsHolding(
      volumeRecord({ status: 'DELETING', deleteExecutionName: `${VOLUME_ID}-delete-1` }),
    );

    // Act
    const state = await verifiedStepState(
      event({ name: `${VOLUME_ID}-delete-1`, operation: 'deprovision' }),
      records,
      'DeleteFileSystem',
    );

    // Assess
    expect(state.operation).toBe('deprovision');
  });

  it('marks a deletion step of the cleanup the record names while ROLLING_BACK as ending a failed provisioning', async () => {
    // Prepare: settlement started this cleanup after the provisioning was stopped
    const cleanup = `${VOLUME_ID}-cleanup-1`;
    const records = recordsHolding(
      volumeRecord({ status: 'ROLLING_BACK', deleteExecutionName: cleanup }),
    );

    // Act
    const state = await verifiedStepState(
      event({ name: cleanup, operation: 'deprovision' }),
      records,
      'DeleteFileSystem',
    );

    // Assess
    expect(state.failedProvision).toBe(true);
  });

  it('never takes a deletion someone asked for as a cleanup, whatever the input says', async () => {
    // Prepare: a DELETE's execution whose input claims to clean up a failed provisioning
    const deletion = `${VOLUME_ID}-delete-1`;
    const records = recordsHolding(
      volumeRecord({ status: 'DELETING', deleteExecutionName: deletion }),
    );

    // Act
    const state = await verifiedStepState(
      event({ name: deletion, operation: 'deprovision' }, { failedProvision: true }),
      records,
      'CompleteDeletion',
    );

    // Assess
    expect(state.failedProvision).toBe(false);
  });

  it('refuses an event no state machine of this service sent, without reading any record', async () => {
    // Prepare
    const records = recordsHolding(volumeRecord());
    const handMade = {
      state: { volumeId: VOLUME_ID },
      execution: { name: VOLUME_ID, operation: 'repave' },
    };

    // Act
    const refused = verifiedStepState(handMade as unknown as StepEvent, records, 'ResolveCluster');

    // Assess
    await expect(refused).rejects.toThrow(ForeignExecutionError);
    expect(records.reads).toEqual([]);
  });

  it('names a record it cannot read for now a TransientError, so the state machine retries', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const records = {
      get: async () => {
        throw throttled;
      },
    };

    // Act
    const outcome = verifiedStepState(event(), records, 'ResolveCluster');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
  });
});

describe('OPERATIONS', () => {
  it('lets every operation clean up only in statuses it runs in', () => {
    // Assess
    for (const ownership of Object.values(OPERATIONS)) {
      for (const status of ownership.cleanupStatuses) expect(ownership.statuses).toContain(status);
    }
    expect(CLEANUP_STEPS.has('CheckMountTargetsDeleted')).toBe(false);
  });
});
