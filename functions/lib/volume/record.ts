import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { components } from '../../generated/openapi-types.ts';
import { TransientError, VolumeRecordStateError } from '../errors.ts';
import { FileSystemPathStore } from './file-system-paths.ts';
import {
  allowedFrom,
  INITIAL_STATUS,
  type LifecycleEvent,
  statusesWhere,
  type TargetOf,
  targetOf,
  type VolumeStatus,
} from './lifecycle.ts';
import {
  clusterNamespaceOf,
  clusterPartition,
  everyVolume,
  type ListPage,
  type ListPartition,
  namespacePartition,
  type PartitionRead,
  readListPage,
} from './list-pages.ts';
import { type PoolMember, PoolStore } from './pool.ts';
import {
  limitOf,
  type QuotaCounter,
  QuotaExceededError,
  type QuotaUsage,
  quotaCounters,
  type VolumeLimits,
} from './quota.ts';
import type { VolumeSpec } from './request.ts';
import { CLUSTER_INDEX, LIST_INDEX, NAMESPACE_INDEX } from './table-indexes.ts';

type Schemas = components['schemas'];

export type { VolumeStatus } from './lifecycle.ts';
export type StepRecord = Schemas['StepRecord'];
/** Every resource id the workflow created or adopted, as it learns them. */
export type VolumeResources = Schemas['VolumeResources'];
/** A resource rollback could not delete, so that nothing is ever silently lost. */
export type LeftoverResource = Schemas['LeftoverResource'];
export type VolumeFailure = Schemas['VolumeFailure'];
/** What the last health check of a READY volume found (functions/lib/health/check.ts). */
export type RecordedHealth = Schemas['VolumeHealth'];
export type HealthState = Schemas['HealthState'];
/** The metered size of the file system a volume owns, as the last check read it. */
export type VolumeSize = Schemas['VolumeSize'];
/** A volume as the API shows it (openapi.yaml `Volume`). */
export type Volume = Schemas['Volume'];

/** The DynamoDB item: the public volume plus what only the service reads. */
export interface VolumeRecord extends Volume {
  /** Constant partition key of the `byCreation` index that lists volumes newest first. */
  readonly recordType: 'volume';
  /** SHA-256 of the canonical request body, to tell a replay from a reused key. */
  readonly requestHash?: string;
  readonly caller?: string;
  readonly idempotencyKey?: string;
  readonly deleteExecutionName?: string;
  /** The running (or last) repair execution: only it may move the volume out of REPAIRING. */
  readonly repairExecutionName?: string;
  /** `<cluster>/<namespace>`: partition key of the `byNamespace` index. */
  readonly clusterNamespace?: string;
  /**
   * Whether deleting this volume keeps its file system (with mount targets and security
   * group): decided once from what the volume created and its reclaim policy, when it became
   * READY (at creation for a shared file system), so every DELETE, retry and sweep agrees.
   * Absent: the volume never became READY and owns nothing worth keeping.
   */
  readonly retainFileSystem?: boolean;
  /**
   * The quota counters (functions/lib/volume/quota.ts) this volume is counted in, while it is
   * live: removed in the same transaction that uncounts it, so it is uncounted exactly once.
   * Absent: not counted (anymore, or a record written before quotas).
   */
  readonly countedIn?: readonly string[];
  /**
   * A volume that took a warm pool member (functions/lib/volume/pool.ts): when the member's
   * mount targets were created, so the DNS delay counts from then.
   */
  readonly pool?: { readonly mountTargetsCreatedAt?: string };
}

/**
 * The item an idempotency key's id names when the volume it made has another id (it took a
 * warm pool member, whose id it kept): `get` follows it, so a replay finds the volume.
 */
interface AliasItem {
  readonly id: string;
  readonly aliasOf: string;
}

/** A warm pool member a request tried to take was taken by another first: nothing was written. */
export class PoolMemberTakenError extends VolumeRecordStateError {
  override name = 'PoolMemberTakenError';
}

export { clusterNamespaceOf } from './list-pages.ts';
export { CLUSTER_INDEX, LIST_INDEX, NAMESPACE_INDEX } from './table-indexes.ts';

/**
 * Another live volume holds the claim (cluster, namespace, name): nothing was created.
 * Declared here rather than in errors.ts: it never crosses the state machine.
 */
export class ClaimTakenError extends VolumeRecordStateError {
  override name = 'ClaimTakenError';
  /** The volume holding the claim, when it could still be read. */
  readonly holder: string | undefined;
  constructor(claim: string, holder: string | undefined, options?: ErrorOptions) {
    super(`claim ${claim} belongs to ${holder ?? 'another live volume'}`, options);
    this.holder = holder;
  }
}

/** The key of the item that reserves a claim for one live volume. */
export function claimItemId(spec: Pick<VolumeSpec, 'clusterName' | 'namespace' | 'name'>): string {
  return `claim#${spec.clusterName}/${spec.namespace}/${spec.name}`;
}

/**
 * Whether deleting the volume keeps its file system. The recorded decision wins; a record
 * written before the decision was recorded decides from the same facts: a shared file system
 * is never ours to delete, and a Retain volume keeps data only once it became READY.
 */
export function retainsFileSystem(record: VolumeRecord): boolean {
  if (record.retainFileSystem !== undefined) return record.retainFileSystem;
  if (record.spec.fileSystemId !== undefined) return true;
  return (
    record.spec.reclaimPolicy === 'Retain' &&
    record.steps.CompleteProvisioning?.status === 'SUCCEEDED'
  );
}

/** Statuses in which a volume no longer holds its claim nor counts in its quotas. */
const RELEASING_STATUSES = statusesWhere('live', false);

/** The events that settle a volume whose execution could not (record.ts `settleExecution`). */
export type SettlementEvent =
  | 'provisionStartFailed'
  | 'cleanupStartFailed'
  | 'provisionEndSettled'
  | 'deprovisionEndSettled';

/**
 * The condition that the record is in a status `event` may start from (lifecycle.ts), its
 * values `:from0`, `:from1`… added to `values`; `#status` names the status.
 */
function fromCondition(event: LifecycleEvent, values: Record<string, unknown>): string {
  const from = allowedFrom(event);
  from.forEach((status, index) => {
    values[`:from${index}`] = status;
  });
  return `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`;
}

/** Only the fields openapi.yaml promises, never the service's own bookkeeping. */
export function toVolume(record: VolumeRecord): Volume {
  const {
    recordType: _type,
    requestHash: _hash,
    caller: _caller,
    idempotencyKey: _key,
    deleteExecutionName: _del,
    repairExecutionName: _repair,
    clusterNamespace: _clusterNamespace,
    retainFileSystem: _retain,
    countedIn: _counted,
    pool: _pool,
    ...volume
  } = record;
  return volume;
}

export interface VolumeListQuery {
  readonly clusterName?: string;
  readonly namespace?: string;
  readonly status?: VolumeStatus;
  /** Only volumes whose last health check found this state. */
  readonly health?: HealthState;
  readonly limit: number;
  readonly nextToken?: string;
}

/** The volume records in DynamoDB: one item per volume, keyed by `id`. */
export class VolumeRecordStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(client: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#table = table;
    this.#now = now;
  }

  /**
   * Records a new volume as PENDING, reserves its claim (cluster, namespace, name) and counts
   * it in its quota counters, in one transaction: two requests for one claim never both start
   * building, and concurrent requests never pass a limit together (each counter's update is
   * conditioned on its count being under the limit).
   *
   * @throws VolumeRecordStateError if the id is taken (a replayed idempotency key)
   * @throws ClaimTakenError if another live volume holds the claim
   * @throws QuotaExceededError if a counter is at its limit (`extra.limits`; none: counted only)
   */
  async create(
    id: string,
    spec: VolumeSpec,
    extra: {
      executionName?: string;
      requestHash?: string;
      caller?: string;
      idempotencyKey?: string;
      warnings?: string[];
      limits?: VolumeLimits;
      /**
       * The warm pool member the volume takes (`id` must be its id): the record replaces the
       * member's item only while it is still AVAILABLE, so no two volumes get one member.
       */
      pool?: PoolMember;
      /** The id the idempotency key stands for, when `id` is not it (a pool member's). */
      aliasId?: string;
    } = {},
  ): Promise<VolumeRecord> {
    const now = this.#now().toISOString();
    const { limits, pool, aliasId, ...fields } = extra;
    if (pool && pool.id !== id) throw new Error(`volume ${id} cannot take pool member ${pool.id}`);
    const counters = quotaCounters(spec, extra.caller);
    const record: VolumeRecord = {
      recordType: 'volume',
      id,
      status: INITIAL_STATUS,
      spec,
      clusterName: spec.clusterName,
      namespace: spec.namespace,
      name: spec.name,
      clusterNamespace: clusterNamespaceOf(spec.clusterName, spec.namespace),
      createdAt: now,
      updatedAt: now,
      // A shared file system is someone else's from the start: never deleted, whatever happens.
      ...(spec.fileSystemId !== undefined ? { retainFileSystem: true } : {}),
      fileSystemSource: spec.fileSystemId !== undefined ? 'shared' : pool ? 'pool' : 'new',
      ...(pool
        ? {
            pool: pool.mountTargetsCreatedAt
              ? { mountTargetsCreatedAt: pool.mountTargetsCreatedAt }
              : {},
          }
        : {}),
      ...fields,
      countedIn: counters.map((counter) => counter.id),
      steps: {},
      resources: {},
    };
    const claim = claimItemId(spec);
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: record,
                ...(pool
                  ? {
                      ConditionExpression: 'recordType = :member AND poolState = :available',
                      ExpressionAttributeValues: {
                        ':member': pool.recordType,
                        ':available': 'AVAILABLE',
                      },
                    }
                  : { ConditionExpression: 'attribute_not_exists(id)' }),
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: { id: claim, volumeId: id, createdAt: now },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            },
            ...counters.map((counter) => this.#countUpdate(counter, limits)),
            ...(aliasId && aliasId !== id
              ? [
                  {
                    Put: {
                      TableName: this.#table,
                      Item: { id: aliasId, aliasOf: id, createdAt: now } satisfies AliasItem & {
                        createdAt: string;
                      },
                      ConditionExpression: 'attribute_not_exists(id)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const [recordReason, claimReason, ...rest] = reasons;
      const counterReasons = rest.slice(0, counters.length);
      const aliasReason = rest[counters.length];
      if (aliasReason?.Code === 'ConditionalCheckFailed') {
        throw new VolumeRecordStateError(`volume ${aliasId} already exists`, { cause: error });
      }
      if (recordReason?.Code === 'ConditionalCheckFailed') {
        if (pool) {
          throw new PoolMemberTakenError(`pool member ${id} was taken`, { cause: error });
        }
        throw new VolumeRecordStateError(`volume ${id} already exists`, { cause: error });
      }
      // Two requests took one member at once: the loser tries another (or a new file system).
      if (pool && recordReason?.Code === 'TransactionConflict') {
        throw new PoolMemberTakenError(`pool member ${id} is being taken`, { cause: error });
      }
      if (claimReason?.Code === 'ConditionalCheckFailed') {
        const holder = await this.claimHolder(spec);
        throw new ClaimTakenError(claim.slice('claim#'.length), holder, { cause: error });
      }
      const full = counters.find(
        (_, index) => counterReasons[index]?.Code === 'ConditionalCheckFailed',
      );
      if (full && limits) {
        throw new QuotaExceededError(await this.#usageOf(full, limits), { cause: error });
      }
      throw error;
    }
    return record;
  }

  /** Counts one more volume in `counter`, only while it is under its limit (when given). */
  #countUpdate(counter: QuotaCounter, limits: VolumeLimits | undefined) {
    const limit = limits ? limitOf(limits, counter.scope) : undefined;
    return {
      Update: {
        TableName: this.#table,
        Key: { id: counter.id },
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':one': 1,
          ...(limit === undefined ? {} : { ':limit': limit }),
        },
        // A counter without an item counts 0, which is under any limit but 0.
        ...(limit === undefined
          ? {}
          : {
              ConditionExpression:
                limit > 0 ? 'attribute_not_exists(#count) OR #count < :limit' : '#count < :limit',
            }),
      },
    };
  }

  async #usageOf(counter: QuotaCounter, limits: VolumeLimits): Promise<QuotaUsage> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id: counter.id }, ConsistentRead: true }),
    );
    const count = Number((Item as { count?: number } | undefined)?.count ?? 0);
    return {
      scope: counter.scope,
      subject: counter.subject,
      limit: limitOf(limits, counter.scope),
      // Never below 0, whatever an operator did to a counter item.
      usage: Math.max(0, count),
    };
  }

  /**
   * The limits a new volume of `caller` in the spec's namespace counts against, with their
   * usage now: for the plan. The create transaction, not this read, enforces them.
   */
  async quotaUsage(
    spec: Pick<VolumeSpec, 'clusterName' | 'namespace'>,
    caller: string,
    limits: VolumeLimits,
  ): Promise<QuotaUsage[]> {
    return Promise.all(
      quotaCounters(spec, caller).map((counter) => this.#usageOf(counter, limits)),
    );
  }

  /** The id of the live volume holding a claim, if any. */
  async claimHolder(
    spec: Pick<VolumeSpec, 'clusterName' | 'namespace' | 'name'>,
  ): Promise<string | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { id: claimItemId(spec) },
        ConsistentRead: true,
      }),
    );
    return (Item as { volumeId?: string } | undefined)?.volumeId;
  }

  /**
   * Frees the volume's claim for a new volume; only if this volume holds it (a DELETE of a
   * long-FAILED volume must not free a newer volume's claim). Idempotent.
   */
  async releaseClaim(record: Pick<VolumeRecord, 'id' | 'spec'>): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { id: claimItemId(record.spec) },
          ConditionExpression: 'volumeId = :id',
          ExpressionAttributeValues: { ':id': record.id },
        }),
      );
    } catch (error) {
      // Already free, or held by a newer volume: nothing of ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The warm pool members, in the same table. */
  pool(): PoolStore {
    return new PoolStore(this.#client, this.#table, this.#now);
  }

  /** The directories taken on shared file systems, in the same table. */
  paths(): FileSystemPathStore {
    return new FileSystemPathStore(this.#client, this.#table);
  }

  /**
   * The volume `id` names: its record, or the one its idempotency alias points to. Undefined
   * for any other item of the table (a warm pool member, a claim, a counter).
   */
  async get(id: string): Promise<VolumeRecord | undefined> {
    const item = await this.#item(id);
    const alias = (item as Partial<AliasItem> | undefined)?.aliasOf;
    const record = alias ? await this.#item(alias) : item;
    return record?.recordType === 'volume' ? (record as unknown as VolumeRecord) : undefined;
  }

  async #item(id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }),
    );
    return Item;
  }

  /** @throws VolumeRecordStateError when there is no such volume */
  async require(id: string): Promise<VolumeRecord> {
    const record = await this.get(id);
    if (!record) throw new VolumeRecordStateError(`volume ${id} has no record`);
    return record;
  }

  /**
   * A page of volumes, newest first (ties by id), filtered, and only those `visible` keeps
   * (the caller's authorization, a second guard behind the partitions): see
   * list-pages.ts `readListPage` for the merge, the bound on reads and the token.
   *
   * `partitions` are the index partitions to read (a caller's, derived from its rules by
   * functions/lib/service/list-scope.ts); without them, the query's: its namespace's
   * (`byNamespace`) when it names cluster and namespace, its cluster's (`byCluster`) when it
   * names a cluster, else every volume (`byCreation`), as the health sweep pages them.
   */
  async list(
    query: VolumeListQuery,
    scope: {
      readonly partitions?: readonly ListPartition[];
      readonly visible?: (record: VolumeRecord) => boolean;
    } = {},
  ): Promise<ListPage<VolumeRecord>> {
    const partitions = scope.partitions ?? [partitionOf(query)];
    // A byCluster partition read through byCreation for the whole page, once that index
    // proved unavailable: its keys are not byCluster's.
    const widened = new Map<ListPartition, ListPartition>();
    const read = async (
      partition: ListPartition,
      request: { upTo?: string; startKey?: Record<string, unknown>; limit: number },
    ): Promise<PartitionRead<VolumeRecord>> => {
      const stand = widened.get(partition);
      if (stand) return this.#readPartition(stand, query, request);
      if (partition.index !== CLUSTER_INDEX || request.startKey) {
        return this.#readPartition(partition, query, request);
      }
      if (this.#now().getTime() >= clusterIndexMissingUntil) {
        try {
          return await this.#readPartition(partition, query, request);
        } catch (error) {
          if (!isIndexUnavailable(error)) throw error;
          clusterIndexMissingUntil = this.#now().getTime() + CLUSTER_INDEX_RETRY_MS;
        }
      }
      const wider: ListPartition = {
        ...partition,
        index: LIST_INDEX,
        key: 'volume',
        clusterName: partition.key,
      };
      widened.set(partition, wider);
      return this.#readPartition(wider, query, request);
    };
    return readListPage<VolumeRecord>(
      partitions,
      { limit: query.limit, nextToken: query.nextToken, visible: scope.visible },
      read,
    );
  }

  /** One Query of one partition, with the query's filters the partition does not imply. */
  async #readPartition(
    partition: ListPartition,
    query: VolumeListQuery,
    request: { upTo?: string; startKey?: Record<string, unknown>; limit: number },
  ): Promise<PartitionRead<VolumeRecord>> {
    const names: Record<string, string> = {
      '#partition': PARTITION_ATTRIBUTE[partition.index],
    };
    const values: Record<string, unknown> = { ':partition': partition.key };
    let keyCondition = '#partition = :partition';
    if (request.upTo !== undefined) {
      names['#createdAt'] = 'createdAt';
      values[':upTo'] = request.upTo;
      keyCondition += ' AND #createdAt <= :upTo';
    }
    const filters: string[] = [];
    const filter = (field: string, value: unknown) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      filters.push(`#${field} = :${field}`);
    };
    // Warm pool members carry clusterName: only volumes are listed.
    if (partition.index === CLUSTER_INDEX) filter('recordType', 'volume');
    if (partition.index !== NAMESPACE_INDEX) {
      const cluster = partition.clusterName ?? query.clusterName;
      if (partition.index === LIST_INDEX && cluster !== undefined) filter('clusterName', cluster);
      if (query.namespace !== undefined) filter('namespace', query.namespace);
    }
    if (query.status !== undefined) filter('status', query.status);
    if (query.health !== undefined) {
      names['#health'] = 'health';
      names['#healthState'] = 'state';
      values[':health'] = query.health;
      filters.push('#health.#healthState = :health');
    }
    const namespaceSet = (list: readonly string[], prefix: string) => {
      names['#namespace'] = 'namespace';
      return list
        .map((namespace, index) => {
          values[`:${prefix}${index}`] = namespace;
          return `:${prefix}${index}`;
        })
        .join(', ');
    };
    // IN takes at most 100 operands: a longer list is left to `visible`.
    if (partition.namespaces && partition.namespaces.length <= 100) {
      filters.push(`#namespace IN (${namespaceSet(partition.namespaces, 'only')})`);
    }
    if (partition.exceptNamespaces && partition.exceptNamespaces.length <= 100) {
      filters.push(`NOT (#namespace IN (${namespaceSet(partition.exceptNamespaces, 'except')}))`);
    }
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: partition.index,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ScanIndexForward: false,
        Limit: request.limit,
        ...(request.startKey ? { ExclusiveStartKey: request.startKey } : {}),
      }),
    );
    const items = ((page.Items ?? []) as VolumeRecord[]).filter(
      (item) => item.recordType === 'volume' && partitionHolds(partition, item),
    );
    const last = page.LastEvaluatedKey;
    return {
      items,
      scanned: page.ScannedCount ?? page.Items?.length ?? 0,
      ...(last ? { more: { startKey: last, createdAt: String(last.createdAt) } } : {}),
    };
  }

  /**
   * Records what a health check found (and the metered size of the volume's own file system),
   * only while the volume is READY and only if no later
   * check was recorded meanwhile (a slow check never overwrites a newer one). Leaves
   * `updatedAt` alone: a check changes nothing of the volume, `checkedAt` says when it ran.
   * Returns the state the previous check recorded, so the caller raises `Volume Drifted` once,
   * on a change to DRIFTED (the update is atomic: of two concurrent checks, one sees the change).
   *
   * @throws VolumeRecordStateError when the volume is not READY or a later check was recorded
   */
  async recordHealth(
    id: string,
    health: RecordedHealth,
    size?: Omit<VolumeSize, 'monthlyUsd'>,
  ): Promise<HealthState | undefined> {
    try {
      const values: Record<string, unknown> = {
        ':health': health,
        ':checkedAt': health.checkedAt,
        ...(size
          ? { ':size': { meteredBytes: size.meteredBytes, measuredAt: size.measuredAt } }
          : {}),
      };
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: size ? 'SET #health = :health, #size = :size' : 'SET #health = :health',
          ExpressionAttributeNames: {
            '#health': 'health',
            '#status': 'status',
            ...(size ? { '#size': 'size' } : {}),
          },
          ExpressionAttributeValues: values,
          ConditionExpression: `attribute_exists(id) AND ${fromCondition('healthChecked', values)} AND (attribute_not_exists(#health) OR #health.checkedAt <= :checkedAt)`,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return (Attributes as { health?: RecordedHealth } | undefined)?.health?.state;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VolumeRecordStateError(
          `volume ${id} cannot record its health: it is not READY, or a later check was recorded`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Moves a volume to DELETING, only from a status DELETE may start from (lifecycle.ts
   * `deleteRequested`), and names its delete execution; returns the record as it now is.
   * @throws VolumeRecordStateError when the status changed meanwhile
   */
  async beginDeletion(id: string, executionName: string): Promise<VolumeRecord> {
    const values: Record<string, unknown> = {
      ':deleting': targetOf('deleteRequested'),
      ':now': this.#now().toISOString(),
      ':execution': executionName,
    };
    return this.#update(
      id,
      'SET #status = :deleting, updatedAt = :now, deleteExecutionName = :execution REMOVE leftovers',
      { '#status': 'status' },
      values,
      `attribute_exists(id) AND ${fromCondition('deleteRequested', values)}`,
      'DELETING',
    );
  }

  /**
   * Moves a READY volume to REPAIRING and names its repair execution, so DELETE and a second
   * repair answer busy until the repair ends; returns the record as it now is. The health the
   * repair was decided on is recorded with it, so a repair that is stopped before its own
   * closing check leaves the volume with what was found, not an older health.
   * @throws VolumeRecordStateError when the volume is not READY (anymore)
   */
  async beginRepair(
    id: string,
    executionName: string,
    health: RecordedHealth,
  ): Promise<VolumeRecord> {
    const now = this.#now().toISOString();
    const values: Record<string, unknown> = {
      ':repairing': targetOf('repairRequested'),
      ':now': now,
      ':execution': executionName,
      ':repair': { status: 'RUNNING', startedAt: now },
      ':health': health,
    };
    return this.#update(
      id,
      'SET #status = :repairing, updatedAt = :now, repairExecutionName = :execution, #repair = :repair, #health = :health',
      { '#status': 'status', '#repair': 'repair', '#health': 'health' },
      values,
      `attribute_exists(id) AND ${fromCondition('repairRequested', values)}`,
      'REPAIRING',
    );
  }

  /**
   * Ends a repair: the volume is READY again, with the repair's outcome and, when given, the
   * health found at its end (openapi.yaml `VolumeHealth`). Only the execution the record
   * names may end it, so a late or stray execution never touches a volume it does not repair.
   * @throws VolumeRecordStateError when the volume is not being repaired by `executionName`
   */
  async endRepair(
    id: string,
    executionName: string,
    outcome: { status: 'SUCCEEDED' | 'FAILED'; error?: VolumeFailure; health?: RecordedHealth },
  ): Promise<VolumeRecord> {
    const now = this.#now().toISOString();
    const names: Record<string, string> = {
      '#status': 'status',
      '#repair': 'repair',
      '#repairStatus': 'status',
    };
    const values: Record<string, unknown> = {
      ':ready': targetOf('repairEnded'),
      ':now': now,
      ':execution': executionName,
      ':outcome': outcome.status,
    };
    const sets = [
      '#status = :ready',
      'updatedAt = :now',
      '#repair.#repairStatus = :outcome',
      '#repair.endedAt = :now',
    ];
    if (outcome.error) {
      values[':error'] = outcome.error;
      sets.push('#repair.#error = :error');
      names['#error'] = 'error';
    }
    if (outcome.health !== undefined) {
      values[':health'] = outcome.health;
      sets.push('#health = :health');
      names['#health'] = 'health';
    }
    return this.#update(
      id,
      `SET ${sets.join(', ')}`,
      names,
      values,
      `attribute_exists(id) AND ${fromCondition('repairEnded', values)} AND repairExecutionName = :execution`,
      'the end of its repair',
    );
  }

  /**
   * Marks a step RUNNING. With a step's `event` (lifecycle.ts), also moves the volume to its
   * status, but only from the statuses it starts from (so a late retry cannot move a READY
   * volume back).
   */
  async stepStarted(
    id: string,
    step: string,
    event?: 'provisionStepStarted' | 'repairStepStarted',
  ): Promise<void> {
    const now = this.#now().toISOString();
    const names: Record<string, string> = { '#steps': 'steps', '#step': step };
    const values: Record<string, unknown> = {
      ':step': { status: 'RUNNING', startedAt: now },
      ':now': now,
    };
    let update = 'SET #steps.#step = :step, updatedAt = :now';
    let condition = 'attribute_exists(id)';
    if (event) {
      names['#status'] = 'status';
      values[':status'] = targetOf(event);
      update += ', #status = :status';
      condition += ` AND ${fromCondition(event, values)}`;
    }
    await this.#write(id, update, names, values, condition, step);
  }

  /** Marks a step SUCCEEDED and merges the resource ids it learned. */
  async stepSucceeded(id: string, step: string, resources: VolumeResources = {}): Promise<void> {
    const now = this.#now().toISOString();
    const names: Record<string, string> = { '#steps': 'steps', '#step': step, '#status': 'status' };
    const values: Record<string, unknown> = { ':succeeded': 'SUCCEEDED', ':now': now };
    const sets = [
      '#steps.#step.#status = :succeeded',
      '#steps.#step.endedAt = :now',
      'updatedAt = :now',
    ];
    Object.entries(resources).forEach(([key, value], index) => {
      if (value === undefined) return;
      names['#resources'] = 'resources';
      names[`#r${index}`] = key;
      values[`:r${index}`] = value;
      sets.push(`#resources.#r${index} = :r${index}`);
    });
    await this.#write(id, `SET ${sets.join(', ')}`, names, values, 'attribute_exists(id)', step);
  }

  /** Marks a step FAILED with the error's name and message (never its stack or cause). */
  async stepFailed(
    id: string,
    step: string,
    error: { name: string; message: string },
  ): Promise<void> {
    const now = this.#now().toISOString();
    await this.#write(
      id,
      'SET #steps.#step.#status = :failed, #steps.#step.endedAt = :now, #steps.#step.#error = :error, updatedAt = :now',
      { '#steps': 'steps', '#step': step, '#status': 'status', '#error': 'error' },
      {
        ':failed': 'FAILED',
        ':now': now,
        ':error': { name: error.name, message: error.message.slice(0, 1000) },
      },
      'attribute_exists(id)',
      step,
    );
  }

  /**
   * Sets the volume's status, and the failure, rollback error, leftovers and retain decision
   * when given. DELETED and FAILED release the volume's claim (after the status is written, so
   * a claim is never free while its volume is live). Returns the record as it now is.
   */
  async setStatus(
    id: string,
    status: VolumeStatus,
    details: {
      error?: VolumeFailure;
      rollbackError?: VolumeFailure;
      leftovers?: LeftoverResource[];
      retained?: LeftoverResource[];
      retainFileSystem?: boolean;
      warnings?: string[];
    } = {},
  ): Promise<VolumeRecord> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': status,
      ':now': this.#now().toISOString(),
    };
    const sets = ['#status = :status', 'updatedAt = :now'];
    for (const [key, value] of Object.entries(details)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      sets.push(`#${key} = :${key}`);
    }
    const write = RELEASING_STATUSES.includes(status)
      ? this.#updateUncounting.bind(this)
      : this.#update.bind(this);
    const updated = await write(
      id,
      `SET ${sets.join(', ')}`,
      names,
      values,
      'attribute_exists(id)',
      'status',
    );
    if (RELEASING_STATUSES.includes(status)) await this.releaseClaim(updated);
    return updated;
  }

  /**
   * Settles a volume whose execution ended without settling it (stopped, timed out, failed
   * outside a Catch): sets `status`, one the settling `event` may write (lifecycle.ts), and
   * its details only while the record is still in a status the event starts from and still
   * names that execution in `field`, so a record the workflow (or a newer execution) already
   * moved on is never overwritten. FAILED releases the claim, as
   * {@link setStatus} does. A record without `field` is one written before it was recorded:
   * provisioning executions are named after the volume, so the status decides alone.
   *
   * @returns the record as it now is; undefined when it had moved on (nothing written)
   */
  async settleExecution<E extends SettlementEvent>(
    id: string,
    expected: {
      readonly event: E;
      readonly field: 'executionName' | 'deleteExecutionName';
      readonly executionName: string;
    },
    status: TargetOf<E>,
    details: {
      error?: VolumeFailure;
      rollbackError?: VolumeFailure;
      leftovers?: LeftoverResource[];
    },
  ): Promise<VolumeRecord | undefined> {
    const names: Record<string, string> = { '#status': 'status', '#execution': expected.field };
    const values: Record<string, unknown> = {
      ':status': status,
      ':now': this.#now().toISOString(),
      ':execution': expected.executionName,
    };
    const sets = ['#status = :status', 'updatedAt = :now'];
    for (const [key, value] of Object.entries(details)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      sets.push(`#${key} = :${key}`);
    }
    const from = fromCondition(expected.event, values);
    // A provisioning end settles nothing once a cleanup of it was started (beginCleanup): the
    // cleanup's own end does.
    if (expected.field === 'executionName') names['#cleanup'] = 'deleteExecutionName';
    const named =
      expected.field === 'executionName'
        ? '(attribute_not_exists(#execution) OR #execution = :execution) AND attribute_not_exists(#cleanup)'
        : '#execution = :execution';
    try {
      const write = RELEASING_STATUSES.includes(status)
        ? this.#updateUncounting.bind(this)
        : this.#update.bind(this);
      const updated = await write(
        id,
        `SET ${sets.join(', ')}`,
        names,
        values,
        `attribute_exists(id) AND ${from} AND ${named}`,
        status,
      );
      if (RELEASING_STATUSES.includes(status)) await this.releaseClaim(updated);
      return updated;
    } catch (error) {
      if (error instanceof VolumeRecordStateError) return undefined;
      throw error;
    }
  }

  /**
   * Hands a volume whose provisioning execution ended unsettled (stopped, timed out) to a
   * deprovision execution that cleans up what it left: ROLLING_BACK, the cleanup named in
   * `deleteExecutionName`, the provisioning's failure kept (or `error` when it has none), no
   * leftovers listed while it runs. Written only while the record is still in a status a
   * cleanup starts from (lifecycle.ts `cleanupStarted`), still names `provisionExecutionName` (or none, as {@link settleExecution} allows) and no
   * cleanup was started, so a repeated end event starts no second cleanup.
   *
   * @returns the record as it now is; undefined when it had moved on (nothing written)
   */
  async beginCleanup(
    id: string,
    expected: { readonly provisionExecutionName: string },
    cleanupExecutionName: string,
    error: VolumeFailure,
  ): Promise<VolumeRecord | undefined> {
    const values: Record<string, unknown> = {
      ':rollingBack': targetOf('cleanupStarted'),
      ':now': this.#now().toISOString(),
      ':execution': expected.provisionExecutionName,
      ':cleanup': cleanupExecutionName,
      ':error': error,
    };
    const from = fromCondition('cleanupStarted', values);
    try {
      return await this.#update(
        id,
        'SET #status = :rollingBack, updatedAt = :now, #cleanup = :cleanup, #error = if_not_exists(#error, :error) REMOVE leftovers',
        {
          '#status': 'status',
          '#execution': 'executionName',
          '#cleanup': 'deleteExecutionName',
          '#error': 'error',
        },
        values,
        `attribute_exists(id) AND ${from} AND (attribute_not_exists(#execution) OR #execution = :execution) AND attribute_not_exists(#cleanup)`,
        'the start of its cleanup',
      );
    } catch (caught) {
      if (caught instanceof VolumeRecordStateError) return undefined;
      throw caught;
    }
  }

  /**
   * Removes a PENDING record and its claim in one transaction, as if the request had never
   * been made: for a POST whose execution is known never to have started, so that a retry with
   * the same idempotency key starts afresh rather than finding a volume that never ran.
   * @returns false when the record is no longer PENDING (it started meanwhile): nothing removed
   */
  async withdrawPending(record: Pick<VolumeRecord, 'id' | 'spec'>): Promise<boolean> {
    // The counters it is counted in are on the record: uncounted in the same transaction.
    const countedIn = (await this.get(record.id))?.countedIn ?? [];
    const values: Record<string, unknown> = {};
    const pending = fromCondition('withdrawn', values);
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.#table,
                Key: { id: record.id },
                ConditionExpression: `${pending} AND ${countedIn.length > 0 ? 'attribute_exists(#counted)' : 'attribute_not_exists(#counted)'}`,
                ExpressionAttributeNames: { '#status': 'status', '#counted': 'countedIn' },
                ExpressionAttributeValues: values,
              },
            },
            ...countedIn.map((counter) => this.#uncountUpdate(counter)),
            {
              Delete: {
                TableName: this.#table,
                Key: { id: claimItemId(record.spec) },
                ConditionExpression: 'attribute_not_exists(id) OR volumeId = :id',
                ExpressionAttributeValues: { ':id': record.id },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  /** Counts one volume less in a counter. */
  #uncountUpdate(counter: string) {
    return {
      Update: {
        TableName: this.#table,
        Key: { id: counter },
        UpdateExpression: 'ADD #count :minusOne',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':minusOne': -1 },
      },
    };
  }

  /**
   * {@link #update} for a move to DELETED or FAILED: the volume stops counting in its quota
   * counters in the same transaction as the status is written, and only if it still counts
   * (the record's `countedIn`, removed by that transaction), so every path that ends a volume
   * (the workflow, settlement, a failed start, a repeated DELETE) uncounts it exactly once.
   */
  async #updateUncounting(...write: RecordWrite): Promise<VolumeRecord> {
    const [id, update, names, values, condition, what] = write;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const countedIn = (await this.get(id))?.countedIn ?? [];
      if (countedIn.length === 0) break;
      try {
        await this.#client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.#table,
                  Key: { id },
                  UpdateExpression: `${update} REMOVE #counted`,
                  ExpressionAttributeNames: { ...names, '#counted': 'countedIn' },
                  ExpressionAttributeValues: values,
                  ConditionExpression: `(${condition}) AND attribute_exists(#counted)`,
                },
              },
              ...countedIn.map((counter) => this.#uncountUpdate(counter)),
            ],
          }),
        );
        return await this.require(id);
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        // Another writer in between: read again and retry; never write the status uncounted.
        if (reasons.some((reason) => reason.Code === 'TransactionConflict') && attempt < 3) {
          continue;
        }
        // Uncounted meanwhile, or the status condition fails: the plain update decides.
        if (reasons[0]?.Code === 'ConditionalCheckFailed') break;
        if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
          throw new TransientError(`volume ${id}: ${what} kept conflicting with other writes`, {
            cause: error,
          });
        }
        throw error;
      }
    }
    return this.#update(...write);
  }

  async #update(...write: RecordWrite): Promise<VolumeRecord> {
    return (await this.#send('ALL_NEW', ...write)) as VolumeRecord;
  }

  /**
   * {@link #update} for a write whose result nobody reads (a step's progress, several per
   * step): DynamoDB sends no item back, which spares the reply and its parsing.
   */
  async #write(...write: RecordWrite): Promise<void> {
    await this.#send('NONE', ...write);
  }

  async #send(
    returnValues: 'ALL_NEW' | 'NONE',
    ...[id, update, names, values, condition, what]: RecordWrite
  ): Promise<VolumeRecord | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: update,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ConditionExpression: condition,
          ReturnValues: returnValues,
        }),
      );
      return Attributes as VolumeRecord | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VolumeRecordStateError(
          `volume ${id} cannot record ${what} in its current state`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}

/**
 * One conditional UpdateItem of a volume's record: its id, the update expression with its names
 * and values, the condition, and what it records (named when the condition refuses it).
 */
type RecordWrite = [
  id: string,
  update: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
  condition: string,
  what: string,
];

/**
 * Until when (epoch ms) lists read a cluster through `byCreation` rather than `byCluster`: an
 * index added to a deployed table is backfilled after CloudFormation moves on, and DynamoDB
 * refuses Queries of it until it is ACTIVE. Per Lambda environment; retried after a minute.
 */
let clusterIndexMissingUntil = 0;
const CLUSTER_INDEX_RETRY_MS = 60_000;

/** DynamoDB refused a Query because the index is absent or still backfilling. */
function isIndexUnavailable(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /index/i.test(error.message) &&
    error.message.includes(CLUSTER_INDEX)
  );
}

/** The attribute each list index is partitioned by. */
const PARTITION_ATTRIBUTE = {
  [LIST_INDEX]: 'recordType',
  [CLUSTER_INDEX]: 'clusterName',
  [NAMESPACE_INDEX]: 'clusterNamespace',
} as const;

/** The partition a query without a caller reads: the narrowest its filters name. */
function partitionOf(query: VolumeListQuery): ListPartition {
  if (query.clusterName !== undefined && query.namespace !== undefined) {
    return namespacePartition(query.clusterName, query.namespace);
  }
  if (query.clusterName !== undefined) return clusterPartition(query.clusterName);
  return everyVolume();
}

/** Whether a record read from `partition` belongs to it, its namespace lists included. */
function partitionHolds(partition: ListPartition, record: VolumeRecord): boolean {
  if (partition.clusterName !== undefined && record.clusterName !== partition.clusterName) {
    return false;
  }
  if (partition.namespaces && !partition.namespaces.includes(record.namespace)) return false;
  return !partition.exceptNamespaces?.includes(record.namespace);
}
