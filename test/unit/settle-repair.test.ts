import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { VolumeRecordStateError } from '../../functions/lib/errors.ts';
import { NO_METRICS } from '../../functions/lib/metrics.ts';
import {
  retainedIds,
  type SettleDependencies,
  settleExecutionEnd,
} from '../../functions/lib/settle/settle-execution.ts';
import type {
  VolumeFailure,
  VolumeRecord,
  VolumeRecordStore,
} from '../../functions/lib/volume/record.ts';
import type { ExecutionStatusChangeDetail } from '../../functions/lib/workflow/execution-status-change.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const eventsMock = mockClient(EventBridgeClient);
const STATES = 'arn:aws:states:us-east-1:123456789012';
const REPAIR = `${STATES}:stateMachine:efs-volumes-repair`;
const EXECUTION = `${VOLUME_ID}-repair-0a1b2c3d`;

const repairing: VolumeRecord = {
  recordType: 'volume',
  id: VOLUME_ID,
  status: 'REPAIRING',
  clusterName: 'demo',
  namespace: 'team-a',
  name: 'shared-data',
  createdAt: '2026-11-29T07:00:00.000Z',
  updatedAt: '2026-11-29T08:00:00.000Z',
  spec: volumeSpec(),
  steps: {},
  resources: { fileSystemId: 'fs-1' },
  repairExecutionName: EXECUTION,
};

/** A record store holding one record; endRepair behaves as the DynamoDB condition does. */
function storeHolding(record: VolumeRecord) {
  const ended: Array<{ executionName: string; status: string; error?: VolumeFailure }> = [];
  const records = {
    get: async (id: string) => (id === record.id ? record : undefined),
    endRepair: async (
      id: string,
      executionName: string,
      outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: VolumeFailure },
    ) => {
      if (
        id !== record.id ||
        record.status !== 'REPAIRING' ||
        record.repairExecutionName !== executionName
      ) {
        throw new VolumeRecordStateError(`volume ${id} is not repaired by ${executionName}`);
      }
      ended.push({ executionName, ...outcome });
      return { ...record, status: 'READY' as const };
    },
  } as unknown as VolumeRecordStore;
  return { records, ended };
}

function dependencies(records: VolumeRecordStore): SettleDependencies {
  return {
    records,
    metrics: NO_METRICS,
    efs: new EFSClient({}),
    ec2: new EC2Client({}),
    sfn: new SFNClient({}),
    events: new EventBridgeClient({}),
    kubernetes: async () => {
      throw new Error('a repair end reads no cluster');
    },
    settings: {
      eventBusName: 'volumes',
      provisionStateMachineArn: `${STATES}:stateMachine:efs-volumes-provision`,
      deprovisionStateMachineArn: `${STATES}:stateMachine:efs-volumes-deprovision`,
      repairStateMachineArn: REPAIR,
    },
  };
}

function repairEnd(
  status: ExecutionStatusChangeDetail['status'],
  name = EXECUTION,
): ExecutionStatusChangeDetail {
  return {
    executionArn: `${STATES}:execution:efs-volumes-repair:${name}`,
    stateMachineArn: REPAIR,
    name,
    status,
    input: JSON.stringify({ volumeId: VOLUME_ID, operation: 'repair', executionName: name }),
    cause: status === 'FAILED' ? 'Lambda.ServiceException' : null,
  };
}

describe('settleExecutionEnd of a repair', () => {
  beforeEach(() => {
    eventsMock.reset();
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  });

  it.each([
    ['ABORTED', 'ExecutionAborted'],
    ['TIMED_OUT', 'States.Timeout'],
    ['FAILED', 'ExecutionFailed'],
  ] as const)(
    'moves a volume left REPAIRING by a repair that ended %s back to READY with the repair FAILED, and announces it',
    async (status, errorName) => {
      // Prepare
      const { records, ended } = storeHolding(repairing);

      // Act
      const outcome = await settleExecutionEnd(dependencies(records), repairEnd(status));

      // Assess
      expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'READY' });
      expect(ended).toEqual([
        {
          executionName: EXECUTION,
          status: 'FAILED',
          error: expect.objectContaining({ name: errorName }),
        },
      ]);
      expect(ended[0]?.error?.message).toContain(`the repair execution ${EXECUTION}`);
      const entries = eventsMock
        .commandCalls(PutEventsCommand)
        .flatMap((call) => call.args[0].input.Entries ?? []);
      expect(entries.map((entry) => entry.DetailType)).toEqual(['Volume Repair Failed']);
      expect(JSON.parse(entries[0]?.Detail ?? '{}')).toMatchObject({ volumeId: VOLUME_ID });
    },
  );

  it('leaves a volume alone that another repair is working on', async () => {
    // Prepare
    const { records, ended } = storeHolding(repairing);

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      repairEnd('ABORTED', `${VOLUME_ID}-repair-ffffffff`),
    );

    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', volumeId: VOLUME_ID });
    expect(ended).toEqual([]);
    expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('leaves a volume alone whose repair already ended', async () => {
    // Prepare
    const { records, ended } = storeHolding({ ...repairing, status: 'READY' });

    // Act
    const outcome = await settleExecutionEnd(dependencies(records), repairEnd('FAILED'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('READY') });
    expect(ended).toEqual([]);
  });

  it('finds the volume of a repair by its execution name when the input was left out', async () => {
    // Prepare
    const { records, ended } = storeHolding(repairing);

    // Act
    const outcome = await settleExecutionEnd(dependencies(records), {
      ...repairEnd('TIMED_OUT'),
      input: null,
    });

    // Assess
    expect(outcome).toMatchObject({ outcome: 'settled', volumeId: VOLUME_ID });
    expect(ended).toHaveLength(1);
  });
});

describe('retainedIds', () => {
  const resources = { fileSystemId: 'fs-1', securityGroupId: 'sg-1', mountTargetIds: ['fsmt-1'] };
  const provisioned: VolumeRecord['steps'] = {
    CompleteProvisioning: { status: 'SUCCEEDED', startedAt: '2026-11-29T07:05:00.000Z' },
  };

  it('keeps what a Retain volume provisioned, for a record written before retainFileSystem', () => {
    // Prepare
    const record: VolumeRecord = {
      ...repairing,
      status: 'DELETING',
      spec: volumeSpec({ reclaimPolicy: 'Retain' }),
      steps: provisioned,
      resources,
    };

    // Act
    const kept = retainedIds(record);

    // Assess
    expect([...kept].sort()).toEqual(['fs-1', 'fsmt-1', 'sg-1']);
  });

  it('keeps nothing of a Delete volume, nor of a shared file system the service does not own', () => {
    // Prepare
    const deleted: VolumeRecord = {
      ...repairing,
      status: 'DELETING',
      spec: volumeSpec({ reclaimPolicy: 'Delete' }),
      steps: provisioned,
      resources,
    };
    const shared: VolumeRecord = {
      ...deleted,
      spec: volumeSpec({ fileSystemId: 'fs-0123456789abcdef0' }),
      retainFileSystem: true,
    };

    // Act
    const kept = [retainedIds(deleted), retainedIds(shared)].map((ids) => [...ids]);

    // Assess
    expect(kept).toEqual([[], []]);
  });
});
