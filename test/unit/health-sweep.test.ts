import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { NO_METRICS } from '../../functions/lib/metrics.ts';
import {
  type SettleDependencies,
  settleStalePending,
} from '../../functions/lib/settle/settle-execution.ts';
import { checkAllVolumes } from '../../functions/lib/sweep/check-all.ts';
import type { VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { volumeSpec } from './fixtures.ts';

const sfnMock = mockClient(SFNClient);
const PROVISION = 'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-provision';
const NOW = new Date('2026-11-29T08:00:00.000Z');

function pendingRecord(id: string, createdAt: string): VolumeRecord {
  return {
    recordType: 'volume',
    id,
    status: 'PENDING',
    clusterName: 'demo',
    namespace: 'team-a',
    name: id,
    createdAt,
    updatedAt: createdAt,
    spec: volumeSpec({ name: id }),
    steps: {},
    resources: {},
    executionName: id,
  };
}

/** A record store serving PENDING records one per page, and nothing READY. */
function recordsServing(pending: VolumeRecord[]) {
  const queried: string[] = [];
  const records = {
    list: async (query: { status?: string; nextToken?: string }) => {
      queried.push(query.status ?? 'any');
      if (query.status !== 'PENDING') return { items: [] };
      const index = Number(query.nextToken ?? 0);
      const items = pending.slice(index, index + 1);
      return index + 1 < pending.length ? { items, nextToken: String(index + 1) } : { items };
    },
  } as unknown as VolumeRecordStore;
  return { records, queried };
}

describe('checkAllVolumes', () => {
  beforeEach(() => {
    sfnMock.reset();
  });

  it('restarts a PENDING volume whose execution never started, and leaves a fresh one alone', async () => {
    // Prepare
    const stale = pendingRecord('vol-00000000000000000001', '2026-11-29T07:30:00.000Z');
    const fresh = pendingRecord('vol-00000000000000000002', '2026-11-29T07:59:00.000Z');
    const { records, queried } = recordsServing([stale, fresh]);
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: NOW });
    const settle = {
      records,
      metrics: NO_METRICS,
      sfn: new SFNClient({}),
      efs: new EFSClient({}),
      ec2: new EC2Client({}),
      events: new EventBridgeClient({}),
      kubernetes: async () => {
        throw new Error('no cluster in this test');
      },
      settings: {
        eventBusName: 'default',
        provisionStateMachineArn: PROVISION,
        deprovisionStateMachineArn: `${PROVISION}-de`,
      },
    } satisfies SettleDependencies;

    // Act
    const summary = await checkAllVolumes({
      eks: new EKSClient({}),
      ec2: settle.ec2,
      efs: settle.efs,
      kubernetes: settle.kubernetes,
      records,
      events: settle.events,
      eventBusName: 'default',
      reconcilePending: (record) => settleStalePending(settle, record, { now: NOW }),
    });

    // Assess
    expect(queried).toEqual(['READY', 'PENDING', 'PENDING']);
    expect(summary.stalePending).toEqual([{ volumeId: stale.id, outcome: 'restarted' }]);
    expect(summary.failed).toEqual([]);
    const started = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(started).toEqual([
      {
        stateMachineArn: PROVISION,
        name: stale.id,
        input: JSON.stringify({ volumeId: stale.id, operation: 'provision' }),
      },
    ]);
  });

  it('counts a PENDING volume it could not reconcile as failed and goes on', async () => {
    // Prepare
    const first = pendingRecord('vol-00000000000000000003', '2026-11-29T07:00:00.000Z');
    const second = pendingRecord('vol-00000000000000000004', '2026-11-29T07:00:00.000Z');
    const { records } = recordsServing([first, second]);
    const reconciled: string[] = [];

    // Act
    const summary = await checkAllVolumes({
      eks: new EKSClient({}),
      ec2: new EC2Client({}),
      efs: new EFSClient({}),
      kubernetes: async () => {
        throw new Error('unused');
      },
      records,
      events: new EventBridgeClient({}),
      eventBusName: 'default',
      reconcilePending: async (record) => {
        if (record.id === first.id) throw new Error('ThrottlingException');
        reconciled.push(record.id);
        return 'settled';
      },
    });

    // Assess
    expect(summary.failed).toEqual([{ volumeId: first.id, error: 'Error: ThrottlingException' }]);
    expect(summary.stalePending).toEqual([{ volumeId: second.id, outcome: 'settled' }]);
    expect(reconciled).toEqual([second.id]);
  });

  it('pages no PENDING volumes without a way to reconcile them', async () => {
    // Prepare
    const { records, queried } = recordsServing([
      pendingRecord('vol-00000000000000000005', '2026-11-29T07:00:00.000Z'),
    ]);

    // Act
    const summary = await checkAllVolumes({
      eks: new EKSClient({}),
      ec2: new EC2Client({}),
      efs: new EFSClient({}),
      kubernetes: async () => {
        throw new Error('unused');
      },
      records,
      events: new EventBridgeClient({}),
      eventBusName: 'default',
    });

    // Assess
    expect(queried).toEqual(['READY']);
    expect(summary.stalePending).toEqual([]);
  });
});
