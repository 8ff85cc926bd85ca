// Reads per page of GET /volumes: Query calls and items read, for a narrow caller (two
// namespaces of a cluster), a caller of one whole cluster and a wide caller (every cluster),
// over records seeded in moto, next to the baseline in the same run: the list as it read
// before issue 22 (the whole-stack byCreation index, a Query per refill, authorization after).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AccessPolicy, authorize } from '../functions/lib/service/access-policy.ts';
import { listVolumes } from '../functions/lib/service/read-volumes.ts';
import type { VolumeRecord } from '../functions/lib/volume/record.ts';
import {
  clusterNamespaceOf,
  LIST_INDEX,
  VolumeRecordStore,
} from '../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../functions/lib/volume/request.ts';

/** One volume record to seed: where it lives and when it was made. */
export interface SeededVolume {
  readonly id: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly createdAt: string;
}

/**
 * Writes READY volume records as `VolumeRecordStore.create` shapes them (without claims or
 * quota counters, which no list reads), 25 to a BatchWriteItem: thousands in seconds.
 */
export async function seedVolumeRecords(
  documents: DynamoDBDocumentClient,
  tableName: string,
  volumes: readonly SeededVolume[],
): Promise<void> {
  const items = volumes.map((volume, index): VolumeRecord => {
    const spec = validateVolumeRequest({
      clusterName: volume.clusterName,
      namespace: volume.namespace,
      name: `seeded-${index}`,
    });
    return {
      recordType: 'volume',
      id: volume.id,
      status: 'READY',
      spec,
      clusterName: volume.clusterName,
      namespace: volume.namespace,
      name: spec.name,
      clusterNamespace: clusterNamespaceOf(volume.clusterName, volume.namespace),
      createdAt: volume.createdAt,
      updatedAt: volume.createdAt,
      fileSystemSource: 'new',
      steps: {},
      resources: {},
    };
  });
  const batches: VolumeRecord[][] = [];
  for (let index = 0; index < items.length; index += 25) {
    batches.push(items.slice(index, index + 25));
  }
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        let requests: Record<string, unknown>[] = batch.map((item) => ({
          PutRequest: { Item: item },
        }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await documents.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
        }
      }
    }),
  );
}

/** One Query seen by {@link countingDocuments}: which index and partition, and items read. */
export interface SeenQuery {
  readonly index: string;
  readonly partition: string;
  readonly itemsRead: number;
}

/**
 * A document client of its own (so no other client's middleware stack changes) that notes
 * every Query it sends: the index, the partition key's value and `ScannedCount`.
 */
export function countingDocuments(): { documents: DynamoDBDocumentClient; seen: SeenQuery[] } {
  const seen: SeenQuery[] = [];
  const client = new DynamoDBClient({});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        const input = args.input as {
          IndexName?: string;
          ExpressionAttributeValues?: Record<string, { S?: string } | string>;
        };
        const partition = input.ExpressionAttributeValues?.[':partition'];
        const output = result.output as { ScannedCount?: number };
        seen.push({
          index: input.IndexName ?? '',
          partition: typeof partition === 'string' ? partition : (partition?.S ?? ''),
          itemsRead: output.ScannedCount ?? 0,
        });
      }
      return result;
    },
    { step: 'initialize', name: 'countListQueries' },
  );
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { documents, seen };
}

/** Per page of a walk through the list (following nextToken, the first 10 pages at most). */
export interface ReadsPerPage {
  /** Volumes the walk listed. */
  readonly listed: number;
  readonly pages: number;
  readonly queriesPerPage: { readonly mean: number; readonly max: number };
  readonly itemsReadPerPage: { readonly mean: number; readonly max: number };
  /** The indexes the walk read. */
  readonly indexes: string[];
}

export interface ListReadFigures {
  readonly records: number;
  readonly limit: number;
  /** Each caller: the list today and the baseline (before issue 22), over the same records. */
  readonly callers: Record<string, { readonly after: ReadsPerPage; readonly before: ReadsPerPage }>;
}

const ACCOUNT = '123456789012';
/** Pages walked per caller: the figures are per page, and moto reads a whole index per Query. */
const MAX_PAGES = 10;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function summarize(pages: Array<{ items: number; queries: SeenQuery[] }>): ReadsPerPage {
  const queries = pages.map((page) => page.queries.length);
  const read = pages.map((page) => page.queries.reduce((sum, query) => sum + query.itemsRead, 0));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    listed: pages.reduce((sum, page) => sum + page.items, 0),
    pages: pages.length,
    queriesPerPage: { mean: mean(queries), max: Math.max(...queries) },
    itemsReadPerPage: { mean: mean(read), max: Math.max(...read) },
    indexes: [...new Set(pages.flatMap((page) => page.queries.map((query) => query.index)))],
  };
}

/**
 * The list as it read before issue 22: the whole-stack `byCreation` index, `Limit` the room
 * left on the page, Query after Query until the page is full of what `visible` keeps.
 */
async function baselinePage(
  documents: DynamoDBDocumentClient,
  tableName: string,
  limit: number,
  visible: (record: VolumeRecord) => boolean,
  startKey: Record<string, unknown> | undefined,
): Promise<{ items: VolumeRecord[]; next?: Record<string, unknown> }> {
  const items: VolumeRecord[] = [];
  let key = startKey;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'recordType = :partition',
        ExpressionAttributeValues: { ':partition': 'volume' },
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: key,
      }),
    );
    items.push(...((page.Items ?? []) as VolumeRecord[]).filter(visible));
    key = page.LastEvaluatedKey;
  } while (key && items.length < limit);
  return { items, ...(key ? { next: key } : {}) };
}

/**
 * Seeds `records` volumes (the table may hold others: they count as the stack's) in a cluster
 * of 40 namespaces, 2 % of them in each of the narrow caller's two, and in a second cluster,
 * then walks every page of GET /volumes as each caller, counting Query calls and items read.
 */
export async function measureListReads(options: {
  readonly tableName: string;
  readonly records?: number;
  readonly limit?: number;
  readonly onProgress?: (message: string) => void;
}): Promise<ListReadFigures> {
  const total = options.records ?? 2000;
  const limit = options.limit ?? 20;
  const { documents, seen } = countingDocuments();
  const started = Date.parse('2026-01-01T00:00:00Z');
  const volumes: SeededVolume[] = Array.from({ length: total }, (_, index) => ({
    id: `vol-list${String(index).padStart(16, '0')}`,
    clusterName: index % 4 === 3 ? 'list-other' : 'list-main',
    namespace: `ns-${index % 50}`,
    // 250 ms apart, and every 50th made in the same millisecond as the one before.
    createdAt: new Date(started + (index - (index % 50 === 49 ? 1 : 0)) * 250).toISOString(),
  }));
  options.onProgress?.(`seeding ${total} volume records`);
  await seedVolumeRecords(documents, options.tableName, volumes);
  const policy: AccessPolicy = {
    rules: [
      { caller: role('narrow'), cluster: 'list-main', namespaces: ['ns-0', 'ns-1'] },
      { caller: role('cluster'), cluster: 'list-main', namespaces: ['*'] },
      { caller: role('wide'), cluster: '*', namespaces: ['*'] },
    ],
  };
  const records = new VolumeRecordStore(documents, options.tableName);
  const callers: Record<string, { after: ReadsPerPage; before: ReadsPerPage }> = {};
  for (const name of ['narrow', 'cluster', 'wide']) {
    const caller = role(name);
    const visible = (record: VolumeRecord) =>
      authorize(policy, caller, record.clusterName, record.namespace).allowed;
    const after: Array<{ items: number; queries: SeenQuery[] }> = [];
    let nextToken: string | undefined;
    do {
      const from = seen.length;
      const page = await listVolumes(
        { records, policy },
        { limit, ...(nextToken ? { nextToken } : {}) },
        caller,
      );
      after.push({ items: page.items.length, queries: seen.slice(from) });
      nextToken = page.nextToken;
    } while (nextToken && after.length < MAX_PAGES);
    const before: Array<{ items: number; queries: SeenQuery[] }> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const from = seen.length;
      const page = await baselinePage(documents, options.tableName, limit, visible, startKey);
      before.push({ items: page.items.length, queries: seen.slice(from) });
      startKey = page.next;
    } while (startKey && before.length < MAX_PAGES);
    callers[name] = { after: summarize(after), before: summarize(before) };
    options.onProgress?.(
      `${name}: per page ${callers[name].after.queriesPerPage.mean.toFixed(1)} Queries, ${callers[name].after.itemsReadPerPage.mean.toFixed(0)} items read (before: ${callers[name].before.queriesPerPage.mean.toFixed(1)}, ${callers[name].before.itemsReadPerPage.mean.toFixed(0)})`,
    );
  }
  return { records: total, limit, callers };
}
