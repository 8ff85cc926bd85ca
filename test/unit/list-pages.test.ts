import { describe, expect, it } from 'vitest';
import { InvalidListTokenError } from '../../functions/lib/errors.ts';
import {
  clusterPartition,
  decodeListToken,
  encodeListToken,
  type ListPartition,
  MAX_MERGED_PARTITIONS,
  MAX_QUERIES_PER_PAGE,
  namespacePartition,
  newestFirst,
  type PartitionReader,
  readListPage,
} from '../../functions/lib/volume/list-pages.ts';
import { seededRandom } from '../../local/seeded-random.ts';

interface Item {
  readonly id: string;
  readonly createdAt: string;
  readonly partition: string;
  readonly kept: boolean;
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/**
 * A DynamoDB index in memory, as Query reads it: newest first, items of one `createdAt` in an
 * order of their own (not by id), `Limit` counting items read before the filter, a
 * LastEvaluatedKey whenever the limit was reached.
 */
function fakeIndex(items: readonly Item[], seed: number) {
  const next = seededRandom(seed);
  const rank = new Map(items.map((item) => [item.id, next()]));
  const calls: Array<{ partition: string; limit: number }> = [];
  const read: PartitionReader<Item> = async (partition, request) => {
    calls.push({ partition: partition.key, limit: request.limit });
    const ordered = items
      .filter((item) => item.partition === partition.key)
      .filter((item) => request.upTo === undefined || item.createdAt <= request.upTo)
      .sort((a, b) =>
        a.createdAt === b.createdAt
          ? (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0)
          : a.createdAt < b.createdAt
            ? 1
            : -1,
      );
    const from = request.startKey
      ? ordered.findIndex((item) => item.id === request.startKey?.id) + 1
      : 0;
    const evaluated = ordered.slice(from, from + request.limit);
    const last = evaluated.at(-1);
    return {
      items: evaluated.filter((item) => item.kept),
      scanned: evaluated.length,
      ...(evaluated.length === request.limit && last
        ? { more: { startKey: { id: last.id }, createdAt: last.createdAt } }
        : {}),
    };
  };
  return { read, calls };
}

/** Every page, following nextToken, with what each cost. */
async function allPages(
  partitions: readonly ListPartition[],
  read: PartitionReader<Item>,
  limit: number,
  visible?: (item: Item) => boolean,
) {
  const pages: Array<{ items: Item[]; queries: number; nextToken?: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await readListPage(partitions, { limit, nextToken, visible }, read);
    pages.push({
      items: page.items,
      queries: page.reads.queries,
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    });
    nextToken = page.nextToken;
  } while (nextToken && pages.length < 10_000);
  return pages;
}

const ids = (items: readonly Item[]) => items.map((item) => item.id);

describe('readListPage merges partitions', () => {
  it('returns every kept item of every partition once, newest first, ties by id', async () => {
    // Prepare: 3 partitions, seconds drawn from a narrow range so that many items tie
    const next = seededRandom(7);
    const keys = ['c/a', 'c/b', 'c/c'];
    const items: Item[] = Array.from({ length: 90 }, (_, index) => ({
      id: `vol-${(index * 7919) % 1000}`.padEnd(8, '0'),
      createdAt: at(Math.floor(next() * 12)),
      partition: keys[index % 3] ?? '',
      kept: true,
    }));
    const { read } = fakeIndex(items, 3);

    // Act
    const pages = await allPages(
      keys.map((key) => ({ ...namespacePartition('c', 'x'), key })),
      read,
      7,
    );

    // Assess
    expect(ids(pages.flatMap((page) => page.items))).toEqual(ids([...items].sort(newestFirst)));
    for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(7);
    expect(pages.at(-1)?.nextToken).toBeUndefined();
  });

  it('never skips nor repeats an item when 60 share one createdAt, across Limit cuts', async () => {
    // Prepare: 60 items of one millisecond over 2 partitions, between older and newer ones
    const items: Item[] = [
      ...Array.from({ length: 5 }, (_, index) => ({
        id: `vol-new${index}`,
        createdAt: at(50),
        partition: index % 2 ? 'p1' : 'p2',
        kept: true,
      })),
      ...Array.from({ length: 60 }, (_, index) => ({
        id: `vol-tie${String(index).padStart(2, '0')}`,
        createdAt: at(30),
        partition: index % 3 ? 'p1' : 'p2',
        kept: true,
      })),
      ...Array.from({ length: 5 }, (_, index) => ({
        id: `vol-old${index}`,
        createdAt: at(10 - index),
        partition: 'p1',
        kept: true,
      })),
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const limit of [1, 4, 7, 25]) {
        const { read } = fakeIndex(items, seed);

        // Act
        const pages = await allPages(
          ['p1', 'p2'].map((key) => ({ ...namespacePartition('c', 'x'), key })),
          read,
          limit,
        );

        // Assess
        const listed = ids(pages.flatMap((page) => page.items));
        expect(new Set(listed).size).toBe(listed.length);
        expect(listed).toEqual(ids([...items].sort(newestFirst)));
      }
    }
  });

  it('bounds the Query calls of a page, giving short pages with a nextToken when few are kept', async () => {
    // Prepare: 2 partitions of 400 items, of which 1 in 40 passes the filter
    const items: Item[] = Array.from({ length: 800 }, (_, index) => ({
      id: `vol-${String(index).padStart(4, '0')}`,
      createdAt: at(index),
      partition: index % 2 ? 'p1' : 'p2',
      kept: index % 40 === 0,
    }));
    const { read } = fakeIndex(items, 11);

    // Act
    const pages = await allPages(
      ['p1', 'p2'].map((key) => ({ ...namespacePartition('c', 'x'), key })),
      read,
      5,
    );

    // Assess
    expect(ids(pages.flatMap((page) => page.items))).toEqual(
      ids(items.filter((item) => item.kept).sort(newestFirst)),
    );
    expect(Math.max(...pages.map((page) => page.queries))).toBeLessThanOrEqual(
      MAX_QUERIES_PER_PAGE,
    );
    expect(pages.some((page) => page.items.length < 5 && page.nextToken)).toBe(true);
  });

  it('reads on through a tie wider than the reads of a page, so every page moves on', async () => {
    // Prepare: 200 items of one millisecond, 1 in 50 kept: more than 10 Queries of 3 hold
    const items: Item[] = Array.from({ length: 200 }, (_, index) => ({
      id: `vol-${String(index).padStart(4, '0')}`,
      createdAt: at(5),
      partition: 'p1',
      kept: index % 50 === 7,
    }));
    const { read } = fakeIndex(items, 5);

    // Act
    const pages = await allPages([{ ...namespacePartition('c', 'x'), key: 'p1' }], read, 2);

    // Assess
    expect(ids(pages.flatMap((page) => page.items))).toEqual(
      ids(items.filter((item) => item.kept).sort(newestFirst)),
    );
    expect(pages.length).toBeLessThanOrEqual(4);
  });

  it('agrees with a sort of everything for random partitions, ties, filters and limits', async () => {
    for (let seed = 1; seed <= 150; seed += 1) {
      // Prepare
      const next = seededRandom(seed);
      const partitionCount = 1 + Math.floor(next() * MAX_MERGED_PARTITIONS);
      const keys = Array.from({ length: partitionCount }, (_, index) => `p${index}`);
      const keepRate = [1, 0.5, 0.1, 0][Math.floor(next() * 4)] ?? 1;
      const items: Item[] = Array.from({ length: Math.floor(next() * 120) }, (_, index) => ({
        id: `vol-${Math.floor(next() * 1e9)
          .toString(16)
          .padStart(8, '0')}${index}`,
        createdAt: at(Math.floor(next() * 30)),
        partition: keys[Math.floor(next() * partitionCount)] ?? 'p0',
        kept: next() < keepRate,
      }));
      const limit = 1 + Math.floor(next() * 12);
      const { read } = fakeIndex(items, seed);
      const hidden = (item: Item) => !item.id.endsWith('3');

      // Act
      const pages = await allPages(
        keys.map((key) => ({ ...namespacePartition('c', 'x'), key })),
        read,
        limit,
        hidden,
      );

      // Assess
      const expected = items.filter((item) => item.kept && hidden(item)).sort(newestFirst);
      expect(ids(pages.flatMap((page) => page.items)), `seed ${seed}`).toEqual(ids(expected));
      for (const page of pages) {
        expect(page.items.length).toBeLessThanOrEqual(limit);
        expect(page.queries).toBeLessThanOrEqual(MAX_QUERIES_PER_PAGE);
      }
    }
  });

  it('reads nothing for no partition, and refuses more partitions than it merges', async () => {
    // Prepare
    const { read, calls } = fakeIndex([], 1);
    const many = Array.from({ length: MAX_MERGED_PARTITIONS + 1 }, (_, index) =>
      clusterPartition(`c${index}`),
    );

    // Act
    const none = await readListPage([], { limit: 5 }, read);
    const refused = readListPage(many, { limit: 5 }, read);

    // Assess
    expect(none).toEqual({ items: [], reads: { queries: 0, itemsRead: 0 } });
    await expect(refused).rejects.toThrow(/at most/);
    expect(calls).toEqual([]);
  });
});

describe('list tokens', () => {
  it('are a compact position, whatever the partitions, in the characters openapi.yaml allows', () => {
    // Act
    const token = encodeListToken({
      createdAt: '2026-12-07T00:53:08.123Z',
      id: 'vol-0123456789abcdef0123',
    });

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(120);
    expect(decodeListToken(token)).toEqual({
      createdAt: '2026-12-07T00:53:08.123Z',
      id: 'vol-0123456789abcdef0123',
    });
  });

  it('reads a token of the service before positions (a DynamoDB key) as that volume', () => {
    // Prepare
    const legacy = Buffer.from(
      JSON.stringify({ id: 'vol-1', recordType: 'volume', createdAt: '2026-01-01T00:00:00.000Z' }),
    ).toString('base64url');

    // Act / Assess
    expect(decodeListToken(legacy)).toEqual({
      createdAt: '2026-01-01T00:00:00.000Z',
      id: 'vol-1',
    });
  });

  it('refuses a token it did not write', () => {
    for (const token of ['not-json', Buffer.from('[1]').toString('base64url')]) {
      expect(() => decodeListToken(token)).toThrow(InvalidListTokenError);
    }
    expect(() =>
      decodeListToken(Buffer.from(JSON.stringify({ c: 'x'.repeat(100) })).toString('base64url')),
    ).toThrow(InvalidListTokenError);
  });
});
