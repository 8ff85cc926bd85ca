import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { clusterPartition } from '../../functions/lib/volume/list-pages.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';

const documentMock = mockClient(DynamoDBDocumentClient);

const record = (id: string, clusterName: string, namespace: string, createdAt: string) =>
  ({
    recordType: 'volume',
    id,
    clusterName,
    namespace,
    createdAt,
  }) as VolumeRecord;

beforeEach(() => {
  documentMock.reset();
});

describe('VolumeRecordStore.list while the byCluster index is being built', () => {
  it('reads the cluster through byCreation with a cluster filter, and keeps doing so a while', async () => {
    // Prepare: DynamoDB refuses byCluster as it does while an added index backfills
    documentMock.on(QueryCommand, { IndexName: 'byCluster' }).rejects(
      Object.assign(new Error('Cannot read from backfilling global secondary index: byCluster'), {
        name: 'ValidationException',
      }),
    );
    documentMock.on(QueryCommand, { IndexName: 'byCreation' }).resolves({
      Items: [
        record('vol-2', 'prod', 'web', '2026-01-02T00:00:00.000Z'),
        // A record the filter would have left out: the store checks the cluster again.
        record('vol-x', 'dev', 'web', '2026-01-01T12:00:00.000Z'),
        record('vol-1', 'prod', 'kube-system', '2026-01-01T00:00:00.000Z'),
      ],
      ScannedCount: 3,
    });
    const now = new Date('2026-06-01T00:00:00Z');
    const store = new VolumeRecordStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({})),
      't',
      () => now,
    );
    const partitions = [clusterPartition('prod', { except: ['kube-system'] })];

    // Act
    const first = await store.list({ limit: 10 }, { partitions });
    const second = await store.list({ limit: 10 }, { partitions });

    // Assess
    expect(first.items.map((item) => item.id)).toEqual(['vol-2']);
    expect(second.items.map((item) => item.id)).toEqual(['vol-2']);
    const calls = documentMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.IndexName)).toEqual([
      'byCluster',
      'byCreation',
      'byCreation',
    ]);
    expect(calls[1]?.FilterExpression).toContain('#clusterName = :clusterName');
    expect(calls[1]?.ExpressionAttributeValues?.[':clusterName']).toBe('prod');
    expect(calls[1]?.FilterExpression).toContain('NOT (#namespace IN (:except0))');
  });

  it('fails on any other refusal of a Query', async () => {
    // Prepare
    documentMock.on(QueryCommand).rejects(
      Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
      }),
    );
    const store = new VolumeRecordStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), 't');

    // Act / Assess
    await expect(
      store.list({ limit: 10 }, { partitions: [clusterPartition('other')] }),
    ).rejects.toThrow('Requested resource not found');
  });
});
