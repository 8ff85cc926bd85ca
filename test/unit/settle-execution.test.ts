import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { NO_METRICS } from '../../functions/lib/metrics.ts';
import {
  type SettleDependencies,
  settleExecutionEnd,
  settlementOf,
} from '../../functions/lib/settle/settle-execution.ts';
import { allowedFrom } from '../../functions/lib/volume/lifecycle.ts';
import type {
  LeftoverResource,
  SettlementEvent,
  VolumeFailure,
  VolumeRecord,
  VolumeRecordStore,
  VolumeStatus,
} from '../../functions/lib/volume/record.ts';
import type { ExecutionStatusChangeDetail } from '../../functions/lib/workflow/execution-status-change.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const ec2Mock = mockClient(EC2Client);
const sfnMock = mockClient(SFNClient);
const eventsMock = mockClient(EventBridgeClient);

const STATES = 'arn:aws:states:us-east-1:123456789012';
const PROVISION = `${STATES}:stateMachine:efs-volumes-provision`;
const DEPROVISION = `${STATES}:stateMachine:efs-volumes-deprovision`;
const CLEANUP = `${VOLUME_ID}-cleanup-0a1b2c3d`;

function volumeRecord(overrides: Partial<VolumeRecord> = {}): VolumeRecord {
  return {
    recordType: 'volume',
    id: VOLUME_ID,
    status: 'PROVISIONING',
    clusterName: 'demo',
    namespace: 'team-a',
    name: 'shared-data',
    createdAt: '2026-11-29T07:00:00.000Z',
    updatedAt: '2026-11-29T07:01:00.000Z',
    spec: volumeSpec({ reclaimPolicy: 'Delete' }),
    steps: {
      CreateMountTargets: { status: 'SUCCEEDED', startedAt: '2026-11-29T07:00:30.000Z' },
      CheckMountTargets: { status: 'RUNNING', startedAt: '2026-11-29T07:00:40.000Z' },
    },
    resources: { fileSystemId: 'fs-1' },
    executionName: VOLUME_ID,
    ...overrides,
  };
}

interface Settled {
  readonly status: VolumeStatus;
  readonly field: string;
  readonly executionName: string;
  readonly error?: VolumeFailure;
  readonly rollbackError?: VolumeFailure;
  readonly leftovers?: LeftoverResource[];
}

/**
 * A store holding one record, whose conditional writes behave as DynamoDB's conditions do:
 * the record's status and the execution it names decide.
 */
function storeHolding(initial: VolumeRecord) {
  let record = initial;
  const cleanups: Array<{ provisionExecutionName: string; cleanupExecutionName: string }> = [];
  const settled: Settled[] = [];
  const records = {
    get: async (id: string) => (id === record.id ? record : undefined),
    beginCleanup: async (
      _id: string,
      expected: { provisionExecutionName: string },
      cleanupExecutionName: string,
      error: VolumeFailure,
    ) => {
      if (
        !allowedFrom('cleanupStarted').includes(record.status) ||
        record.executionName !== expected.provisionExecutionName ||
        record.deleteExecutionName !== undefined
      ) {
        return undefined;
      }
      cleanups.push({
        provisionExecutionName: expected.provisionExecutionName,
        cleanupExecutionName,
      });
      record = {
        ...record,
        status: 'ROLLING_BACK',
        deleteExecutionName: cleanupExecutionName,
        error: record.error ?? error,
      };
      return record;
    },
    settleExecution: async (
      _id: string,
      expected: {
        event: SettlementEvent;
        field: 'executionName' | 'deleteExecutionName';
        executionName: string;
      },
      status: VolumeStatus,
      details: Omit<Settled, 'status' | 'field' | 'executionName'>,
    ) => {
      if (
        !allowedFrom(expected.event).includes(record.status) ||
        record[expected.field] !== expected.executionName
      )
        return undefined;
      settled.push({
        status,
        field: expected.field,
        executionName: expected.executionName,
        ...details,
      });
      record = { ...record, status, ...details };
      return record;
    },
  } as unknown as VolumeRecordStore;
  return { records, cleanups, settled };
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
      throw new Error('no cluster in this test: ApplyManifests never ran');
    },
    settings: {
      eventBusName: 'volumes',
      provisionStateMachineArn: PROVISION,
      deprovisionStateMachineArn: DEPROVISION,
    },
  };
}

function executionEnd(
  stateMachineArn: string,
  name: string,
  status: ExecutionStatusChangeDetail['status'] = 'ABORTED',
): ExecutionStatusChangeDetail {
  const workflow = stateMachineArn.split(':').at(-1);
  return {
    executionArn: `${STATES}:execution:${workflow}:${name}`,
    stateMachineArn,
    name,
    status,
    input: JSON.stringify({ volumeId: VOLUME_ID }),
    cause: null,
  };
}

/** The volume's own file system is still there (found by its CreationToken), else nothing. */
function leftInAws(fileSystem: boolean) {
  efsMock
    .on(DescribeFileSystemsCommand)
    .resolves({ FileSystems: fileSystem ? [{ FileSystemId: 'fs-1' } as never] : [] });
  efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
  efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
}

function announced(): Array<[string | undefined, unknown]> {
  return eventsMock
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => [entry.DetailType, JSON.parse(entry.Detail ?? '{}').status]);
}

describe('settlementOf', () => {
  it.each([
    ['provision', 'PROVISIONING', 3, true, 'CLEAN_UP'],
    ['provision', 'ROLLING_BACK', 1, true, 'CLEAN_UP'],
    ['provision', 'PROVISIONING', 0, true, 'FAILED'],
    ['provision', 'PENDING', 2, false, 'ROLLBACK_FAILED'],
    ['deprovision', 'ROLLING_BACK', 2, true, 'ROLLBACK_FAILED'],
    ['deprovision', 'ROLLING_BACK', 0, true, 'FAILED'],
    ['deprovision', 'DELETING', 2, true, 'DELETE_FAILED'],
    ['deprovision', 'DELETING', 0, true, 'DELETE_FAILED'],
  ] as const)(
    'settles a %s execution that left the volume %s with %i leftovers (cleanup allowed: %s) as %s',
    (workflow, status, leftovers, startsCleanup, expected) => {
      // Act
      const settlement = settlementOf(workflow, status, leftovers, startsCleanup);

      // Assess
      expect(settlement).toBe(expected);
    },
  );
});

describe('settleExecutionEnd of a provisioning that left resources', () => {
  beforeEach(() => {
    for (const mock of [efsMock, ec2Mock, sfnMock, eventsMock]) mock.reset();
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  });

  it.each([
    ['ABORTED', 'ExecutionAborted'],
    ['TIMED_OUT', 'States.Timeout'],
  ] as const)(
    'hands what a provisioning that ended %s left to a deprovision execution, and announces nothing yet',
    async (status, errorName) => {
      // Prepare
      leftInAws(true);
      sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
      const { records, cleanups, settled } = storeHolding(volumeRecord());

      // Act
      const outcome = await settleExecutionEnd(
        dependencies(records),
        executionEnd(PROVISION, VOLUME_ID, status),
      );

      // Assess
      const name = cleanups[0]?.cleanupExecutionName ?? '';
      expect(name).toMatch(new RegExp(`^${VOLUME_ID}-cleanup-[0-9a-f]{8}$`));
      expect(outcome).toEqual({ outcome: 'cleaning-up', volumeId: VOLUME_ID, executionName: name });
      expect(sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual(
        [
          {
            stateMachineArn: DEPROVISION,
            name,
            input: JSON.stringify({ volumeId: VOLUME_ID, operation: 'deprovision' }),
          },
        ],
      );
      const cleaning = await records.get(VOLUME_ID);
      expect(cleaning).toMatchObject({
        status: 'ROLLING_BACK',
        deleteExecutionName: name,
        error: { step: 'CheckMountTargets', name: errorName },
      });
      expect(settled).toEqual([]);
      expect(announced()).toEqual([]);
    },
  );

  it('lists the leftovers ROLLBACK_FAILED and announces it when the cleanup cannot be started', async () => {
    // Prepare
    leftInAws(true);
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const { records, settled } = storeHolding(volumeRecord());

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(PROVISION, VOLUME_ID),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'ROLLBACK_FAILED' });
    expect(settled).toEqual([
      expect.objectContaining({
        status: 'ROLLBACK_FAILED',
        field: 'deleteExecutionName',
        error: expect.objectContaining({ name: 'ExecutionAborted' }),
        rollbackError: expect.objectContaining({
          step: 'StartExecution',
          name: 'ThrottlingException',
          message: expect.stringMatching(/^the cleanup could not be started: Rate exceeded/),
        }),
        leftovers: [{ type: 'FileSystem', id: 'fs-1' }],
      }),
    ]);
    expect(announced()).toEqual([['Volume Provisioning Failed', 'ROLLBACK_FAILED']]);
  });

  it('starts no second cleanup when the provisioning end is delivered again', async () => {
    // Prepare: the first delivery already started a cleanup
    leftInAws(true);
    const { records, cleanups, settled } = storeHolding(
      volumeRecord({ status: 'ROLLING_BACK', deleteExecutionName: CLEANUP }),
    );

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(PROVISION, VOLUME_ID),
    );

    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', volumeId: VOLUME_ID });
    expect(cleanups).toEqual([]);
    expect(settled).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('settles a provisioning that left nothing FAILED at once, with no cleanup', async () => {
    // Prepare
    leftInAws(false);
    const { records, cleanups, settled } = storeHolding(volumeRecord());

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(PROVISION, VOLUME_ID),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'FAILED' });
    expect(cleanups).toEqual([]);
    expect(settled.map((write) => write.status)).toEqual(['FAILED']);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(announced()).toEqual([['Volume Provisioning Failed', 'FAILED']]);
  });

  it('lists the leftovers instead of cleaning up for a caller that starts no cleanup', async () => {
    // Prepare
    leftInAws(true);
    const { records, cleanups, settled } = storeHolding(volumeRecord());

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(PROVISION, VOLUME_ID),
      { startsCleanup: false },
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'ROLLBACK_FAILED' });
    expect(cleanups).toEqual([]);
    expect(settled[0]?.rollbackError?.message).toMatch(/^rollback never ran/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('settleExecutionEnd of a deprovision execution', () => {
  beforeEach(() => {
    for (const mock of [efsMock, ec2Mock, sfnMock, eventsMock]) mock.reset();
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  });

  it('ends a cleanup that was stopped ROLLBACK_FAILED with its leftovers, and starts no other', async () => {
    // Prepare: the cleanup of a stopped provisioning, itself stopped
    leftInAws(true);
    const provisionFailure = { step: 'CheckMountTargets', name: 'ExecutionAborted', message: 'x' };
    const { records, settled } = storeHolding(
      volumeRecord({
        status: 'ROLLING_BACK',
        deleteExecutionName: CLEANUP,
        error: provisionFailure,
      }),
    );

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(DEPROVISION, CLEANUP, 'TIMED_OUT'),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'ROLLBACK_FAILED' });
    expect(settled).toEqual([
      expect.objectContaining({
        status: 'ROLLBACK_FAILED',
        field: 'deleteExecutionName',
        executionName: CLEANUP,
        error: provisionFailure,
        rollbackError: expect.objectContaining({
          name: 'States.Timeout',
          message: expect.stringContaining(`the deprovision execution ${CLEANUP} timed out`),
        }),
        leftovers: [{ type: 'FileSystem', id: 'fs-1' }],
      }),
    ]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(announced()).toEqual([['Volume Provisioning Failed', 'ROLLBACK_FAILED']]);
  });

  it('ends a cleanup stopped after it deleted everything FAILED', async () => {
    // Prepare
    leftInAws(false);
    const { records, settled } = storeHolding(
      volumeRecord({ status: 'ROLLING_BACK', deleteExecutionName: CLEANUP }),
    );

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(DEPROVISION, CLEANUP),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'FAILED' });
    expect(settled.map((write) => write.status)).toEqual(['FAILED']);
    expect(announced()).toEqual([['Volume Provisioning Failed', 'FAILED']]);
  });

  it('settles a stopped deletion DELETE_FAILED, as before, and starts nothing', async () => {
    // Prepare
    leftInAws(true);
    const deletion = `${VOLUME_ID}-delete-0a1b2c3d`;
    const { records, settled } = storeHolding(
      volumeRecord({ status: 'DELETING', deleteExecutionName: deletion }),
    );

    // Act
    const outcome = await settleExecutionEnd(
      dependencies(records),
      executionEnd(DEPROVISION, deletion),
    );

    // Assess
    expect(outcome).toEqual({ outcome: 'settled', volumeId: VOLUME_ID, status: 'DELETE_FAILED' });
    expect(settled.map((write) => write.status)).toEqual(['DELETE_FAILED']);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(announced()).toEqual([['Volume Deletion Failed', 'DELETE_FAILED']]);
  });
});
