// The status conditions of functions/lib/volume/record.ts against the lifecycle table of
// functions/lib/volume/lifecycle.ts, in moto's DynamoDB: the write that records each move is
// tried from every status, and must succeed from exactly the statuses the move starts from
// (from every status for a move the table declares unconditional).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { VolumeRecordStateError } from '../../functions/lib/errors.ts';
import {
  ALL_STATUSES,
  type LifecycleEvent,
  TRANSITIONS,
  type VolumeStatus,
} from '../../functions/lib/volume/lifecycle.ts';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import type {
  RecordedHealth,
  VolumeRecord,
  VolumeRecordStore,
} from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { documents, uniqueName, useVolumesTable } from '../support/workflow-harness.ts';

let records: VolumeRecordStore;

beforeAll(async () => {
  records = await useVolumesTable();
});

const HEALTH: RecordedHealth = {
  state: 'HEALTHY',
  checkedAt: '2026-01-01T00:00:00.000Z',
  findings: [],
};
const FAILURE = { step: 'CreateFileSystem', name: 'Error', message: 'stopped' };

/** The executions a volume names: its provisioning always, a deletion or repair when asked. */
type Named = 'deletion' | 'repair';

/**
 * A volume whose record is in `status`, naming the executions the write under test wants:
 * created as POST /volumes does (claim and counter included), then put in that status as is.
 */
async function volumeIn(status: VolumeStatus, named: readonly Named[]): Promise<VolumeRecord> {
  const id = newVolumeId();
  const spec = validateVolumeRequest({
    clusterName: uniqueName('lifecycle'),
    namespace: 'team-a',
    name: uniqueName('data'),
  });
  const created = await records.create(id, spec, { executionName: id });
  const record: VolumeRecord = {
    ...created,
    status,
    ...(named.includes('deletion') ? { deleteExecutionName: `${id}-delete` } : {}),
    ...(named.includes('repair')
      ? {
          repairExecutionName: `${id}-repair`,
          repair: { status: 'RUNNING', startedAt: created.createdAt },
        }
      : {}),
  };
  await documents.send(new PutCommand({ TableName: process.env.VOLUMES_TABLE, Item: record }));
  return record;
}

/** Whether a write that throws when refused went through. */
async function unlessRefused(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof VolumeRecordStateError) return false;
    throw error;
  }
}

/** Whether a write that answers undefined (or false) when refused went through. */
async function ifWritten(write: Promise<unknown>): Promise<boolean> {
  const outcome = await write;
  return outcome !== undefined && outcome !== false;
}

/**
 * The write of record.ts that records each move, whether it went through, and the executions
 * the record must name for it.
 */
const WRITES: Record<
  LifecycleEvent,
  { readonly named?: readonly Named[]; readonly write: (record: VolumeRecord) => Promise<boolean> }
> = {
  requested: { write: (record) => unlessRefused(records.create(record.id, record.spec)) },
  withdrawn: { write: (record) => ifWritten(records.withdrawPending(record)) },
  provisionStartFailed: {
    write: (record) =>
      ifWritten(
        records.settleExecution(
          record.id,
          { event: 'provisionStartFailed', field: 'executionName', executionName: record.id },
          'FAILED',
          { error: FAILURE },
        ),
      ),
  },
  provisionStepStarted: {
    write: (record) =>
      unlessRefused(records.stepStarted(record.id, 'CreateFileSystem', 'provisionStepStarted')),
  },
  provisioned: { write: (record) => unlessRefused(records.setStatus(record.id, 'READY')) },
  rollbackStarted: {
    write: (record) => unlessRefused(records.setStatus(record.id, 'ROLLING_BACK')),
  },
  rolledBack: { write: (record) => unlessRefused(records.setStatus(record.id, 'FAILED')) },
  rollbackFailed: {
    write: (record) => unlessRefused(records.setStatus(record.id, 'ROLLBACK_FAILED')),
  },
  cleanupStarted: {
    write: (record) =>
      ifWritten(
        records.beginCleanup(
          record.id,
          { provisionExecutionName: record.id },
          `${record.id}-cleanup`,
          FAILURE,
        ),
      ),
  },
  cleanupStartFailed: {
    named: ['deletion'],
    write: (record) =>
      ifWritten(
        records.settleExecution(
          record.id,
          {
            event: 'cleanupStartFailed',
            field: 'deleteExecutionName',
            executionName: `${record.id}-delete`,
          },
          'ROLLBACK_FAILED',
          { rollbackError: FAILURE },
        ),
      ),
  },
  provisionEndSettled: {
    write: (record) =>
      ifWritten(
        records.settleExecution(
          record.id,
          { event: 'provisionEndSettled', field: 'executionName', executionName: record.id },
          'FAILED',
          { error: FAILURE },
        ),
      ),
  },
  deprovisionEndSettled: {
    named: ['deletion'],
    write: (record) =>
      ifWritten(
        records.settleExecution(
          record.id,
          {
            event: 'deprovisionEndSettled',
            field: 'deleteExecutionName',
            executionName: `${record.id}-delete`,
          },
          'DELETE_FAILED',
          { error: FAILURE },
        ),
      ),
  },
  deleteRequested: {
    write: (record) => unlessRefused(records.beginDeletion(record.id, `${record.id}-delete`)),
  },
  deleteNotStarted: { write: (record) => unlessRefused(records.setStatus(record.id, 'READY')) },
  deleted: { write: (record) => unlessRefused(records.setStatus(record.id, 'DELETED')) },
  deletionFailed: {
    write: (record) => unlessRefused(records.setStatus(record.id, 'DELETE_FAILED')),
  },
  healthChecked: { write: (record) => unlessRefused(records.recordHealth(record.id, HEALTH)) },
  repairRequested: {
    write: (record) => unlessRefused(records.beginRepair(record.id, `${record.id}-repair`, HEALTH)),
  },
  repairStepStarted: {
    write: (record) =>
      unlessRefused(records.stepStarted(record.id, 'CreateMountTargets', 'repairStepStarted')),
  },
  repairEnded: {
    named: ['repair'],
    write: (record) =>
      unlessRefused(
        records.endRepair(record.id, `${record.id}-repair`, {
          status: 'SUCCEEDED',
          health: HEALTH,
        }),
      ),
  },
};

describe("record.ts's status conditions, against the lifecycle table", () => {
  it.each(Object.keys(TRANSITIONS) as LifecycleEvent[])(
    'records %s from exactly the statuses the table says its write takes',
    async (event) => {
      // Prepare
      const transition = TRANSITIONS[event];
      const { named = [], write } = WRITES[event];
      const volumes = await Promise.all(ALL_STATUSES.map((status) => volumeIn(status, named)));

      // Act
      const outcomes = await Promise.all(
        volumes.map(async (volume) => ({
          from: volume.status,
          accepted: await write(volume),
          now: (await records.get(volume.id))?.status,
        })),
      );

      // Assess
      const from: readonly VolumeStatus[] = transition.from;
      const expected = transition.conditional
        ? ALL_STATUSES.filter((status) => from.includes(status))
        : ALL_STATUSES;
      expect(outcomes.filter((outcome) => outcome.accepted).map((outcome) => outcome.from)).toEqual(
        expected,
      );
      for (const outcome of outcomes.filter((each) => each.accepted)) {
        // Removed, or in a status the move may write.
        if (transition.to.length === 0) expect(outcome.now).toBeUndefined();
        else expect(transition.to).toContain(outcome.now);
      }
    },
  );
});
