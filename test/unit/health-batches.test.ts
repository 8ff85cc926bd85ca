import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  type FileSystemDescription,
} from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoizeReads } from '../../functions/lib/aws/memoized-reads.ts';
import { ownFileSystemSize } from '../../functions/lib/health/check.ts';
import {
  checkAllVolumes,
  type HealthBatchSummary,
  planHealthBatches,
} from '../../functions/lib/sweep/check-all.ts';
import { healthBatchOf } from '../../functions/lib/sweep/health-batch.ts';
import type { VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { catalogNameOf } from '../../local/lambda/invoke-endpoint.ts';
import { volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);

function readyRecord(index: number, clusterName: string, fileSystemId?: string): VolumeRecord {
  const id = `vol-${index.toString(16).padStart(20, '0')}`;
  return {
    recordType: 'volume',
    id,
    status: 'READY',
    clusterName,
    namespace: 'team-a',
    name: `v${index}`,
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
    spec: volumeSpec({ name: `v${index}` }),
    steps: {},
    resources: fileSystemId ? { fileSystemId } : {},
  };
}

/** A sweep's dependencies over these READY records; no client is called. */
function sweepOver(ready: readonly VolumeRecord[]) {
  const records = {
    list: async (query: { status?: string }) => ({
      items: query.status === 'READY' ? ready : [],
    }),
  } as unknown as VolumeRecordStore;
  return {
    eks: new EKSClient({}),
    ec2: new EC2Client({}),
    efs: new EFSClient({}),
    kubernetes: async () => {
      throw new Error('unused');
    },
    records,
    events: new EventBridgeClient({}),
    eventBusName: 'default',
  };
}

describe('planHealthBatches', () => {
  it('keeps a cluster and a file system together, and no batch over its size', () => {
    // Prepare: two clusters; on `a`, fs-1 holds 3 volumes, fs-2 holds 2, and 4 own theirs.
    const records = [
      readyRecord(1, 'a', 'fs-1'),
      readyRecord(2, 'b', 'fs-9'),
      readyRecord(3, 'a', 'fs-2'),
      readyRecord(4, 'a', 'fs-1'),
      readyRecord(5, 'a', 'fs-1'),
      readyRecord(6, 'a', 'fs-2'),
      ...[7, 8, 9, 10].map((index) => readyRecord(index, 'a', `fs-${index}0`)),
    ];

    // Act
    const batches = planHealthBatches(records, 4);

    // Assess
    const shapes = batches.map((batch) =>
      batch.map((record) => `${record.clusterName}/${record.resources.fileSystemId}`),
    );
    expect(shapes).toEqual([
      ['a/fs-1', 'a/fs-1', 'a/fs-1', 'a/fs-100'],
      ['a/fs-2', 'a/fs-2', 'a/fs-70', 'a/fs-80'],
      ['a/fs-90'],
      ['b/fs-9'],
    ]);
    expect(
      batches
        .flat()
        .map((record) => record.id)
        .sort(),
    ).toEqual(records.map((record) => record.id).sort());
  });

  it('spreads a file system with more volumes than a batch holds over several', () => {
    // Prepare
    const records = Array.from({ length: 7 }, (_, index) => readyRecord(index + 1, 'a', 'fs-1'));

    // Act
    const batches = planHealthBatches(records, 3);

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('puts the batches checked longest ago first, never-checked ones before all', () => {
    // Prepare
    const checked = (record: VolumeRecord, checkedAt: string): VolumeRecord => ({
      ...record,
      health: { state: 'HEALTHY', checkedAt, findings: [] },
    });
    const records = [
      checked(readyRecord(1, 'a', 'fs-1'), '2026-12-07T00:10:00.000Z'),
      checked(readyRecord(2, 'b', 'fs-2'), '2026-12-07T00:05:00.000Z'),
      readyRecord(3, 'c', 'fs-3'),
    ];

    // Act
    const batches = planHealthBatches(records, 10);

    // Assess
    expect(batches.map((batch) => batch[0]?.clusterName)).toEqual(['c', 'b', 'a']);
  });

  it('refuses a batch size under one', () => {
    // Act / Assess
    expect(() => planHealthBatches([], 0)).toThrow(/at least one volume/);
  });
});

describe('memoizeReads', () => {
  beforeEach(() => {
    efsMock.reset();
  });

  it('sends a repeated read once, concurrent ones included, and every write', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [{ FileSystemId: 'fs-1' } as FileSystemDescription],
    });
    efsMock.on(CreateAccessPointCommand).resolves({ AccessPointId: 'fsap-1' });
    const efs = memoizeReads(new EFSClient({ region: 'us-east-1' }));

    // Act
    const [first, second] = await Promise.all([
      efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' })),
      efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' })),
    ]);
    await efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-2' }));
    await efs.send(new CreateAccessPointCommand({ FileSystemId: 'fs-1', ClientToken: 'a' }));
    await efs.send(new CreateAccessPointCommand({ FileSystemId: 'fs-1', ClientToken: 'a' }));

    // Assess
    expect(second).toBe(first);
    const described = efsMock
      .commandCalls(DescribeFileSystemsCommand)
      .map((call) => call.args[0].input.FileSystemId);
    expect(described).toEqual(['fs-1', 'fs-2']);
    expect(efsMock.commandCalls(CreateAccessPointCommand)).toHaveLength(2);
  });

  it('forgets a failed read, so the next asks again', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ FileSystems: [] });
    const efs = memoizeReads(new EFSClient({ region: 'us-east-1' }));
    const read = () => efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' }));

    // Act
    const failed = await read().catch((error: Error) => error.name);
    const then = await read();

    // Assess
    expect(failed).toBe('ThrottlingException');
    expect(then.FileSystems).toEqual([]);
    expect(efsMock.commandCalls(DescribeFileSystemsCommand)).toHaveLength(2);
  });
});

describe('checkAllVolumes in batches', () => {
  const ready = [
    readyRecord(1, 'a', 'fs-1'),
    readyRecord(2, 'a', 'fs-1'),
    readyRecord(3, 'b', 'fs-2'),
  ];
  const deps = sweepOver(ready);

  it('sends each batch to checkBatch and adds up their summaries', async () => {
    // Prepare
    const sent: string[][] = [];
    const checkBatch = async (batch: readonly VolumeRecord[]): Promise<HealthBatchSummary> => {
      sent.push(batch.map((record) => record.id));
      return {
        checked: batch.length,
        healthy: batch.length - 1,
        drifted: 1,
        newlyDrifted: [batch[0]?.id ?? ''],
        skipped: 0,
        failed: [],
      };
    };

    // Act
    const summary = await checkAllVolumes({ ...deps, checkBatch });

    // Assess
    expect(sent).toEqual([[ready[0]?.id, ready[1]?.id], [ready[2]?.id]]);
    expect(summary).toMatchObject({
      batches: 2,
      checked: 3,
      healthy: 1,
      drifted: 2,
      newlyDrifted: [ready[0]?.id, ready[2]?.id],
      failed: [],
    });
  });

  it('counts every volume of a batch that failed whole as failed, and checks the others', async () => {
    // Prepare
    const checkBatch = async (batch: readonly VolumeRecord[]): Promise<HealthBatchSummary> => {
      if (batch[0]?.clusterName === 'a') throw new Error('CheckVolumeBatch failed (Unhandled)');
      return { checked: 1, healthy: 1, drifted: 0, newlyDrifted: [], skipped: 0, failed: [] };
    };

    // Act
    const summary = await checkAllVolumes({ ...deps, checkBatch });

    // Assess
    expect(summary.checked).toBe(1);
    expect(summary.failed).toEqual([
      { volumeId: ready[0]?.id, error: 'Error: CheckVolumeBatch failed (Unhandled)' },
      { volumeId: ready[1]?.id, error: 'Error: CheckVolumeBatch failed (Unhandled)' },
    ]);
  });
});

describe('checkAllVolumes near its deadline', () => {
  it('starts no batch that could not end in time, and counts its volumes deferred', async () => {
    // Prepare: three clusters, so three batches; time runs out after the first.
    const ready = [readyRecord(1, 'a', 'fs-1'), readyRecord(2, 'b', 'fs-2'), readyRecord(3, 'c')];
    let remainingMs = 200_000;
    const sent: string[] = [];

    // Act
    const summary = await checkAllVolumes(
      {
        ...sweepOver(ready),
        checkBatch: async (batch) => {
          sent.push(batch[0]?.clusterName ?? '');
          remainingMs -= 150_000;
          return { checked: 1, healthy: 1, drifted: 0, newlyDrifted: [], skipped: 0, failed: [] };
        },
      },
      { batchConcurrency: 1, deadline: { remainingMs: () => remainingMs, batchMs: 100_000 } },
    );

    // Assess
    expect(sent).toEqual(['a']);
    expect(summary).toMatchObject({ batches: 3, checked: 1, deferred: 2, failed: [] });
  });
});

describe('healthBatchOf', () => {
  it('takes a batch of READY records', () => {
    // Prepare
    const records = [readyRecord(1, 'a', 'fs-1')];

    // Act / Assess
    expect(healthBatchOf({ records })).toEqual(records);
  });

  it.each([
    ['no records', {}],
    ['not a list', { records: 'vol-1' }],
    ['a record that is not READY', { records: [{ ...readyRecord(1, 'a'), status: 'DELETING' }] }],
    ['an id that is not a volume id', { records: [{ ...readyRecord(1, 'a'), id: '../x' }] }],
  ])('refuses %s', (_, event) => {
    // Act / Assess
    expect(() => healthBatchOf(event)).toThrow(TypeError);
  });
});

describe('catalogNameOf (local Invoke)', () => {
  it.each([
    ['CheckVolumeBatch', 'CheckVolumeBatch'],
    ['efs-volumes-CheckVolumeBatch', 'CheckVolumeBatch'],
    ['arn:aws:lambda:us-east-1:123456789012:function:CheckVolumeBatch', 'CheckVolumeBatch'],
    ['123456789012:function:CheckVolumeBatch:$LATEST', 'CheckVolumeBatch'],
    ['NoSuchFunction', undefined],
  ])('%s → %s', (given, expected) => {
    // Act / Assess
    expect(catalogNameOf(given)).toBe(expected);
  });
});

describe('ownFileSystemSize', () => {
  beforeEach(() => {
    efsMock.reset();
  });

  it("reads the metered size of the volume's own file system, and none of a shared one", async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        {
          FileSystemId: 'fs-1',
          SizeInBytes: { Value: 6144, Timestamp: new Date('2026-12-07T01:00:00.000Z') },
        } as FileSystemDescription,
      ],
    });
    const efs = new EFSClient({ region: 'us-east-1' });
    const own = readyRecord(1, 'a', 'fs-1');
    const shared = { ...own, spec: { ...own.spec, fileSystemId: 'fs-1' } };

    // Act
    const [ownSize, sharedSize] = await Promise.all([
      ownFileSystemSize(efs, own),
      ownFileSystemSize(efs, shared),
    ]);

    // Assess
    expect(ownSize).toEqual({ meteredBytes: 6144, measuredAt: '2026-12-07T01:00:00.000Z' });
    expect(sharedSize).toBeUndefined();
    expect(efsMock.commandCalls(DescribeFileSystemsCommand)).toHaveLength(1);
  });
});
