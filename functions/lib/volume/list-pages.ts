import { InvalidListTokenError } from '../errors.ts';
import { CLUSTER_INDEX, LIST_INDEX, NAMESPACE_INDEX } from './table-indexes.ts';

/**
 * One index partition a list of volumes reads: every volume (`byCreation`, key `volume`), one
 * cluster's (`byCluster`, key the cluster name) or one namespace's (`byNamespace`, key
 * `<cluster>/<namespace>`). A `byCluster` partition may keep only some namespaces, or leave
 * some out (the reserved namespaces a caller may not see).
 */
export interface ListPartition {
  readonly index: typeof LIST_INDEX | typeof CLUSTER_INDEX | typeof NAMESPACE_INDEX;
  /** The partition key's value. */
  readonly key: string;
  /**
   * Only volumes of this cluster: a `byCreation` partition standing in for a cluster's
   * `byCluster` one while that index is being built (record.ts).
   */
  readonly clusterName?: string;
  /** Only volumes of these namespaces. */
  readonly namespaces?: readonly string[];
  /** No volume of these namespaces. */
  readonly exceptNamespaces?: readonly string[];
}

/**
 * Query calls one page may make, whatever the data: the first round reads each partition once
 * (at most {@link MAX_MERGED_PARTITIONS}), the rest refill the partition that holds the merge
 * back. The one exception: more volumes created in the same millisecond than these reads hold
 * are read on until that millisecond ends (else the page could not move past them).
 */
export const MAX_QUERIES_PER_PAGE = 10;
/** Partitions one list merges; a caller who may see more is read through wider partitions. */
export const MAX_MERGED_PARTITIONS = 6;

/** The partition of every volume of the stack. */
export function everyVolume(): ListPartition {
  return { index: LIST_INDEX, key: 'volume' };
}

/** One cluster's volumes, optionally only some namespaces or all but some. */
export function clusterPartition(
  clusterName: string,
  namespaces: { only?: readonly string[]; except?: readonly string[] } = {},
): ListPartition {
  return {
    index: CLUSTER_INDEX,
    key: clusterName,
    ...(namespaces.only ? { namespaces: [...namespaces.only].sort() } : {}),
    ...(namespaces.except && namespaces.except.length > 0
      ? { exceptNamespaces: [...namespaces.except].sort() }
      : {}),
  };
}

/** The partition key of the `byNamespace` index. */
export function clusterNamespaceOf(clusterName: string, namespace: string): string {
  return `${clusterName}/${namespace}`;
}

/** One namespace's volumes. */
export function namespacePartition(clusterName: string, namespace: string): ListPartition {
  return { index: NAMESPACE_INDEX, key: clusterNamespaceOf(clusterName, namespace) };
}

/**
 * Where a list stands: every volume before this position (newest first: `createdAt`
 * descending, then `id` descending) was returned or left out. Without `id`, every volume
 * created after `createdAt` was, and none created at it yet.
 */
export interface ListPosition {
  readonly createdAt: string;
  readonly id?: string;
}

/**
 * The opaque `nextToken`: base64url of `{"c": createdAt, "i": id}`, about 80 characters
 * whatever the number of partitions read, since it names a position in the merged order and
 * no partition's own key.
 */
export function encodeListToken(position: ListPosition): string {
  const json = JSON.stringify(
    position.id === undefined
      ? { c: position.createdAt }
      : { c: position.createdAt, i: position.id },
  );
  return Buffer.from(json, 'utf8').toString('base64url');
}

const TOKEN_TEXT = /^[\w:.+-]{1,64}$/;

/**
 * @throws InvalidListTokenError for a token this service did not write. A token of the
 *   service before positions (a DynamoDB key of `byCreation` or `byNamespace`: its
 *   `createdAt` and `id`) is read as the position of that volume.
 */
export function decodeListToken(token: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const fields = parsed as Record<string, unknown>;
    const createdAt = fields.c ?? fields.createdAt;
    const id = fields.c === undefined ? fields.id : fields.i;
    if (
      typeof createdAt === 'string' &&
      TOKEN_TEXT.test(createdAt) &&
      (id === undefined || (typeof id === 'string' && TOKEN_TEXT.test(id)))
    ) {
      return id === undefined ? { createdAt } : { createdAt, id };
    }
  }
  throw new InvalidListTokenError('nextToken is not one this service gave out');
}

/** What one Query of a partition answered. */
export interface PartitionRead<T> {
  /** The items that passed the partition's filters, newest first. */
  readonly items: readonly T[];
  /** Items DynamoDB read for it, filtered or not (`ScannedCount`). */
  readonly scanned: number;
  /** Absent when the partition has nothing more; else where to go on, and its `createdAt`. */
  readonly more?: { readonly startKey: Record<string, unknown>; readonly createdAt: string };
}

/** Reads up to `limit` items of a partition created at or before `upTo`, from `startKey`. */
export type PartitionReader<T> = (
  partition: ListPartition,
  request: {
    readonly upTo?: string;
    readonly startKey?: Record<string, unknown>;
    readonly limit: number;
  },
) => Promise<PartitionRead<T>>;

/** What reading one page cost: Query calls and the items they read. */
export interface ListReads {
  readonly queries: number;
  readonly itemsRead: number;
}

export interface ListPage<T> {
  readonly items: T[];
  readonly nextToken?: string;
  readonly reads: ListReads;
}

interface Listed {
  readonly createdAt: string;
  readonly id: string;
}

/** Newest first, ties by id (descending): one order, whatever order DynamoDB gave ties in. */
export function newestFirst(a: Listed, b: Listed): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

interface PartitionState<T> {
  readonly partition: ListPartition;
  buffer: T[];
  more: PartitionRead<T>['more'];
}

/**
 * One page of the volumes of `partitions`, merged newest first (ties by id), only those
 * `visible` keeps, after the position `nextToken` names.
 *
 * Each partition is read once, `limit + 1` items at a time (one more than a page, so a page
 * from one partition is whole after one read; one more again where the read starts at the
 * volume the token names, which it reads again); then a volume is returned only once no partition
 * can still hold one before it: every partition that has more was read past its `createdAt`
 * (an item at the same millisecond as a partition's last read could still be followed by an
 * unread one of a greater id). Until the page is full, the partition that holds the merge back
 * is read again, at most {@link MAX_QUERIES_PER_PAGE} Query calls in all: so a page may be
 * short, or empty, and still have a `nextToken` (filters or authorization kept few of the items
 * read). The token is the last volume returned or, when reads ran out, the millisecond below
 * which nothing was read yet: no volume is skipped or returned twice across pages.
 */
export async function readListPage<T extends Listed>(
  partitions: readonly ListPartition[],
  options: {
    readonly limit: number;
    readonly nextToken?: string | undefined;
    readonly visible?: ((item: T) => boolean) | undefined;
  },
  read: PartitionReader<T>,
): Promise<ListPage<T>> {
  if (partitions.length > MAX_MERGED_PARTITIONS) {
    throw new Error(`a list merges at most ${MAX_MERGED_PARTITIONS} partitions`);
  }
  const start = options.nextToken ? decodeListToken(options.nextToken) : undefined;
  if (partitions.length === 0) return { items: [], reads: { queries: 0, itemsRead: 0 } };
  const { limit, visible = () => true } = options;
  const afterStart = (item: T): boolean =>
    !start ||
    item.createdAt < start.createdAt ||
    (item.createdAt === start.createdAt && (start.id === undefined || item.id < start.id));
  let queries = 0;
  let itemsRead = 0;
  const states: PartitionState<T>[] = partitions.map((partition) => ({
    partition,
    buffer: [],
    more: undefined,
  }));
  const readInto = async (state: PartitionState<T>): Promise<void> => {
    queries += 1;
    // A partition's first read after a volume starts at its millisecond, so reads it again.
    const again = start?.id !== undefined && !state.more ? 1 : 0;
    const answer = await read(state.partition, {
      ...(start ? { upTo: start.createdAt } : {}),
      ...(state.more ? { startKey: state.more.startKey } : {}),
      limit: limit + 1 + again,
    });
    itemsRead += answer.scanned;
    state.buffer.push(...answer.items.filter((item) => afterStart(item) && visible(item)));
    state.more = answer.more;
  };
  const reads = (): ListReads => ({ queries, itemsRead });

  await Promise.all(states.map(readInto));
  const items: T[] = [];
  for (;;) {
    // Nothing at or below the frontier may be returned yet: a partition with more may still
    // hold a volume of that millisecond that comes first.
    const frontier = states.reduce<string | undefined>(
      (max, state) =>
        state.more && (max === undefined || state.more.createdAt > max)
          ? state.more.createdAt
          : max,
      undefined,
    );
    const ready = states
      .flatMap((state) => state.buffer)
      .filter((item) => frontier === undefined || item.createdAt > frontier)
      .sort(newestFirst)
      .slice(0, limit - items.length);
    const taken = new Set(ready);
    for (const state of states) state.buffer = state.buffer.filter((item) => !taken.has(item));
    items.push(...ready);
    const last = items.at(-1);
    if (items.length === limit && last) {
      const more = states.some((state) => state.more || state.buffer.length > 0);
      return {
        items,
        ...(more ? { nextToken: encodeListToken({ createdAt: last.createdAt, id: last.id }) } : {}),
        reads: reads(),
      };
    }
    if (frontier === undefined) return { items, reads: reads() };
    // Reads spent: stop at the frontier, unless that would not move past `start` (a tie wider
    // than the reads of a page), which is read on until it ends.
    if (queries >= MAX_QUERIES_PER_PAGE && (!start || frontier < start.createdAt)) {
      return { items, nextToken: encodeListToken({ createdAt: frontier }), reads: reads() };
    }
    const blocking = states.find((state) => state.more?.createdAt === frontier);
    if (blocking) await readInto(blocking);
  }
}
