import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { rawSetting } from '../settings.ts';
import type { VolumeSpec } from './request.ts';
import { LIST_INDEX } from './table-indexes.ts';

/**
 * A warm pool keeps, per cluster, a few file systems made ready before anyone asks: each with
 * its file system policy, security group and a mount target in every zone of the cluster, and
 * never used. A request whose file-system settings match takes one and creates only its access
 * point and manifests; its mount targets are long past AWS's DNS delay.
 *
 * A member is made under a volume id (`vol-…`) of its own: its file system's CreationToken, its
 * security group's name and every tag are those a volume of that id would have made. The volume
 * that takes it gets that id, so every step, rollback, deletion and sweep finds the resources
 * as it finds any volume's own, and IAM scopes them by the same tags.
 */
export interface PoolMember {
  /** The volume id it was made under, and that the volume taking it gets. */
  readonly id: string;
  /** {@link POOL_RECORD_TYPE}: the `byCreation` partition that lists every member. */
  readonly recordType: typeof POOL_RECORD_TYPE;
  readonly clusterName: string;
  /**
   * `CREATING`: resources being made (a member that stays so is discarded); `AVAILABLE`: ready
   * to take; `DISCARDING`: drifted or stale, its resources being deleted, a run at a time.
   */
  readonly poolState: PoolState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly fileSystem: PoolFileSystemSettings;
  readonly fileSystemId?: string;
  readonly securityGroupId?: string;
  readonly mountTargetIds?: readonly string[];
  /** When its last mount target was created (ISO 8601): AWS's DNS delay counts from here. */
  readonly mountTargetsCreatedAt?: string;
  /** Why it is being discarded. */
  readonly discardReason?: string;
}

export type PoolState = 'CREATING' | 'AVAILABLE' | 'DISCARDING';

/** What making a member made. */
export type MadeResources = Required<
  Pick<PoolMember, 'fileSystemId' | 'securityGroupId' | 'mountTargetIds' | 'mountTargetsCreatedAt'>
>;

/** What a request must ask for to take a member: the settings of a plain request. */
export interface PoolFileSystemSettings {
  readonly performanceMode: VolumeSpec['performanceMode'];
  readonly throughputMode: VolumeSpec['throughputMode'];
  readonly backup: boolean;
}

/** The settings a request gets when it names none: what every pool member is made with. */
export const POOL_FILE_SYSTEM: PoolFileSystemSettings = {
  performanceMode: 'generalPurpose',
  throughputMode: 'elastic',
  backup: true,
};

/** The tag a member's file system and security group carry until a volume takes them. */
export const POOL_TAG = 'efs-volumes:pool';

/** How many members each cluster keeps: WARM_POOL (`{"demo": 2}`); absent clusters keep none. */
export type WarmPoolSizes = Readonly<Record<string, number>>;

/**
 * WARM_POOL, parsed: members per cluster. Unset: none.
 * @throws Error when it is not a JSON object of non-negative whole numbers
 */
export function warmPoolSizes(raw: string | undefined = rawSetting('WARM_POOL')): WarmPoolSizes {
  if (raw === undefined) return {};
  const parsed: unknown = JSON.parse(raw);
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((size) => Number.isInteger(size) && (size as number) >= 0);
  if (!valid) throw new Error(`WARM_POOL must be an object of whole numbers, got ${raw}`);
  return parsed as WarmPoolSizes;
}

/** The pool's size for a cluster: 0 when WARM_POOL does not name it. */
export function poolSize(sizes: WarmPoolSizes | undefined, clusterName: string): number {
  const size = sizes?.[clusterName];
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : 0;
}

/**
 * Whether a request may take a member made with `settings`: a new file system (not a shared
 * one) with exactly the member's settings (a provisioned throughput never matches, a member
 * has none).
 */
export function matchesPool(spec: VolumeSpec, settings: PoolFileSystemSettings): boolean {
  return (
    spec.fileSystemId === undefined &&
    spec.provisionedThroughputInMibps === undefined &&
    spec.performanceMode === settings.performanceMode &&
    spec.throughputMode === settings.throughputMode &&
    (spec.backup ?? true) === settings.backup
  );
}

/**
 * The `byCreation` partition of every member, of every cluster: a pool is a few items per
 * cluster, and one partition lets the check find members of a cluster no longer configured.
 */
export const POOL_RECORD_TYPE = 'pool';

/** The pool members in the volumes table: one item each, keyed by the id it was made under. */
export class PoolStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(client: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#table = table;
    this.#now = now;
  }

  /**
   * The members of one cluster (of every cluster without `clusterName`), oldest first, in one
   * state or all. The index is eventually consistent: a member listed AVAILABLE may have been
   * taken meanwhile, which the taking transaction's condition settles.
   */
  async list(clusterName?: string, state?: PoolState): Promise<PoolMember[]> {
    const filters = [
      ...(clusterName ? ['clusterName = :cluster'] : []),
      ...(state ? ['poolState = :state'] : []),
    ];
    const members: PoolMember[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: LIST_INDEX,
          KeyConditionExpression: 'recordType = :type',
          ExpressionAttributeValues: {
            ':type': POOL_RECORD_TYPE,
            ...(clusterName ? { ':cluster': clusterName } : {}),
            ...(state ? { ':state': state } : {}),
          },
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ScanIndexForward: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      members.push(...((page.Items ?? []) as PoolMember[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return members;
  }

  /** The member made under `id`, if it is still one (not taken). */
  async get(id: string): Promise<PoolMember | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }),
    );
    const item = Item as PoolMember | undefined;
    return item?.recordType === POOL_RECORD_TYPE ? item : undefined;
  }

  /** Records a member about to be made, before any of its resources exists. */
  async begin(id: string, clusterName: string): Promise<PoolMember> {
    const now = this.#now().toISOString();
    const member: PoolMember = {
      id,
      recordType: POOL_RECORD_TYPE,
      clusterName,
      poolState: 'CREATING',
      createdAt: now,
      updatedAt: now,
      fileSystem: POOL_FILE_SYSTEM,
    };
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: member,
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return member;
  }

  /** A member's resources made (its mount targets maybe not yet available). While CREATING. */
  async recordMountTargets(id: string, made: MadeResources): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { id },
        UpdateExpression:
          'SET updatedAt = :now, fileSystemId = :fs, securityGroupId = :sg, mountTargetIds = :mts, mountTargetsCreatedAt = :created',
        ConditionExpression: 'poolState = :creating',
        ExpressionAttributeValues: {
          ':creating': 'CREATING',
          ':now': this.#now().toISOString(),
          ':fs': made.fileSystemId,
          ':sg': made.securityGroupId,
          ':mts': [...made.mountTargetIds],
          ':created': made.mountTargetsCreatedAt,
        },
      }),
    );
  }

  /**
   * A member whose mount targets are available (what it made is recorded already): it may be
   * taken from now on. Only while it is still CREATING.
   */
  async makeAvailable(id: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { id },
        UpdateExpression: 'SET poolState = :available, updatedAt = :now',
        ConditionExpression: 'poolState = :creating AND attribute_exists(mountTargetsCreatedAt)',
        ExpressionAttributeValues: {
          ':available': 'AVAILABLE',
          ':creating': 'CREATING',
          ':now': this.#now().toISOString(),
        },
      }),
    );
  }

  /**
   * Marks a member for deletion: no request can take it from now on.
   *
   * @returns false when it was taken (or removed) meanwhile: nothing was written
   */
  async discard(id: string, reason: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: 'SET poolState = :discarding, updatedAt = :now, discardReason = :why',
          ConditionExpression: 'recordType = :pool',
          ExpressionAttributeValues: {
            ':discarding': 'DISCARDING',
            ':now': this.#now().toISOString(),
            ':why': reason.slice(0, 500),
            ':pool': POOL_RECORD_TYPE,
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Forgets a discarded member once its resources are gone. */
  async remove(id: string): Promise<void> {
    await this.#client.send(
      new DeleteCommand({
        TableName: this.#table,
        Key: { id },
        ConditionExpression: 'poolState = :discarding',
        ExpressionAttributeValues: { ':discarding': 'DISCARDING' },
      }),
    );
  }
}
