// GET /volumes reads only what the caller may see (issue 22 item 5), through the local API:
// a caller of two namespaces among thousands of other volumes reads its two partitions, a
// bounded number of Query calls per page, newest first with no repeat and no gap across a
// tie of many volumes made in one millisecond; reserved namespaces stay hidden.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDocuments, type SeededVolume, seedVolumeRecords } from '../../bench/list-reads.ts';
import type { AccessPolicy } from '../../functions/lib/service/access-policy.ts';
import { listVolumes } from '../../functions/lib/service/read-volumes.ts';
import { MAX_QUERIES_PER_PAGE, newestFirst } from '../../functions/lib/volume/list-pages.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { awsCallCounts } from '../../local/lambda/aws-call-recorder.ts';
import type { LocalStack } from '../../local/stack.ts';
import { startTestStack } from '../support/local-stack-harness.ts';

const ACCOUNT = '123456789012';
const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const NARROW = 'narrow';
const OPS = 'ops';
const WIDE = 'wide';

let stack: LocalStack;
let policy: AccessPolicy;
let volumes: SeededVolume[];

type Page = {
  items: Array<{ id: string; createdAt: string; namespace: string }>;
  nextToken?: string;
};

/** Every page of GET /volumes as `caller`, with the Query calls the API made for each. */
async function walk(caller: string, query: Record<string, string>, most = 100) {
  const pages: Array<Page & { queries: number }> = [];
  let nextToken: string | undefined;
  do {
    const before = awsCallCounts().get('listVolumes') ?? 0;
    const search = new URLSearchParams({ ...query, ...(nextToken ? { nextToken } : {}) });
    const response = await fetch(`${stack.api}/volumes?${search}`, {
      headers: { 'X-Local-Caller': session(caller) },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    pages.push({ ...page, queries: (awsCallCounts().get('listVolumes') ?? 0) - before });
    nextToken = page.nextToken;
  } while (nextToken && pages.length < most);
  return pages;
}

const idsOf = (items: ReadonlyArray<{ id: string }>) => items.map((item) => item.id);

beforeAll(async () => {
  // Rules of a named cluster: a cluster pattern (`api-*`) reads every volume (list-scope.ts).
  const cluster = `list-${randomBytes(3).toString('hex')}`;
  policy = {
    rules: [
      { caller: role(NARROW), cluster, namespaces: ['team-a', 'team-b'] },
      { caller: role(OPS), cluster, namespaces: ['*'] },
      { caller: role(WIDE), cluster: '*', namespaces: ['*'] },
    ],
  };
  stack = await startTestStack({ clusterName: cluster, policy });
  const at = (milliseconds: number) =>
    new Date(Date.parse('2026-03-01T00:00:00Z') + milliseconds).toISOString();
  const id = (prefix: string, index: number) =>
    `vol-${prefix}${String(index).padStart(6, '0')}${Math.floor(Math.random() * 1e6)
      .toString(16)
      .padStart(5, '0')}`;
  // Prepare: 40 volumes the narrow caller may see, 16 of them made in one millisecond; 300 of
  // another namespace and 3 of kube-system in its cluster; 2,500 in another cluster, in
  // namespaces of the same names. No other two volumes share a millisecond.
  const visible = Array.from({ length: 40 }, (_, index) => ({
    id: id('v', index),
    clusterName: cluster,
    namespace: index % 2 ? 'team-a' : 'team-b',
    createdAt: index >= 12 && index < 28 ? at(100_000) : at(index * 7_000),
  }));
  const others = Array.from({ length: 300 }, (_, index) => ({
    id: id('c', index),
    clusterName: cluster,
    namespace: 'team-c',
    createdAt: at(index * 900 + 3),
  }));
  const reserved = Array.from({ length: 3 }, (_, index) => ({
    id: id('k', index),
    clusterName: cluster,
    namespace: 'kube-system',
    createdAt: at(500_000 + index),
  }));
  const elsewhere = Array.from({ length: 2_500 }, (_, index) => ({
    id: id('e', index),
    clusterName: 'elsewhere',
    namespace: ['team-a', 'team-b', 'team-z'][index % 3] ?? 'team-z',
    createdAt: at(index * 100 + 1),
  }));
  volumes = [...visible, ...others, ...reserved, ...elsewhere];
  await seedVolumeRecords(countingDocuments().documents, stack.tableName, volumes);
});

afterAll(async () => {
  await stack?.stop();
});

describe('GET /volumes reads only what the caller may see', () => {
  it('walks two namespaces among thousands of volumes in a few Queries a page, newest first, no repeat, no gap', async () => {
    // Act
    const pages = await walk(NARROW, { limit: '7' });

    // Assess
    const expected = volumes
      .filter((volume) => volume.clusterName === stack.clusterName)
      .filter((volume) => volume.namespace === 'team-a' || volume.namespace === 'team-b')
      .sort(newestFirst);
    const listed = pages.flatMap((page) => page.items);
    expect(idsOf(listed)).toEqual(idsOf(expected));
    for (const page of pages) {
      expect(page.items.length).toBeLessThanOrEqual(7);
      expect(page.queries).toBeGreaterThan(0);
      expect(page.queries).toBeLessThanOrEqual(MAX_QUERIES_PER_PAGE);
    }
    // Two partitions: two Queries a page, and a few more to read past the tie.
    const queries = pages.reduce((sum, page) => sum + page.queries, 0);
    expect(queries).toBeLessThanOrEqual(2 * pages.length + 4);
    expect(pages.at(-1)?.nextToken).toBeUndefined();
  });

  it('reads only the partitions of those two namespaces, a page of items at most per partition and Query', async () => {
    // Prepare
    const { documents, seen } = countingDocuments();
    const records = new VolumeRecordStore(documents, stack.tableName);

    // Act
    let nextToken: string | undefined;
    let listed = 0;
    do {
      const page = await listVolumes(
        { records, policy },
        { limit: 7, ...(nextToken ? { nextToken } : {}) },
        role(NARROW),
      );
      listed += page.items.length;
      nextToken = page.nextToken;
    } while (nextToken);

    // Assess
    expect(listed).toBe(40);
    expect(new Set(seen.map((query) => `${query.index} ${query.partition}`))).toEqual(
      new Set([
        `byNamespace ${stack.clusterName}/team-a`,
        `byNamespace ${stack.clusterName}/team-b`,
      ]),
    );
    for (const query of seen) expect(query.itemsRead).toBeLessThanOrEqual(7 + 2);
  });

  it('hides reserved namespaces from a caller of every namespace of the cluster, reading its byCluster partition', async () => {
    // Act
    const pages = await walk(OPS, { limit: '100' });

    // Assess
    const expected = volumes
      .filter((volume) => volume.clusterName === stack.clusterName)
      .filter((volume) => volume.namespace !== 'kube-system')
      .sort(newestFirst);
    expect(idsOf(pages.flatMap((page) => page.items))).toEqual(idsOf(expected));
    for (const page of pages) expect(page.queries).toBeLessThanOrEqual(MAX_QUERIES_PER_PAGE);
  });

  it('reads nothing for a namespace the caller may not see, and the whole-stack index for a caller of every cluster', async () => {
    // Act
    const [refused] = await walk(NARROW, { clusterName: stack.clusterName, namespace: 'team-c' });
    const [first] = await walk(WIDE, { limit: '20' }, 1);

    // Assess
    expect(refused).toMatchObject({ items: [], queries: 0 });
    expect(refused?.nextToken).toBeUndefined();
    // The first Query reads 21 volumes, 3 of them reserved (hidden even from `*`): one more.
    expect(first?.queries).toBe(2);
    expect(idsOf(first?.items ?? [])).toEqual(
      idsOf(
        volumes
          .filter((volume) => volume.namespace !== 'kube-system')
          .sort(newestFirst)
          .slice(0, 20),
      ),
    );
  });
});
