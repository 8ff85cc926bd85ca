import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { VolumeRecordStateError } from '../errors.ts';
import type { VolumeSpec } from './request.ts';

export const VOLUME_STATUSES = [
  'PENDING',
  'PROVISIONING',
  'READY',
  'ROLLING_BACK',
  'FAILED',
  'ROLLBACK_FAILED',
] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

export interface StepRecord {
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Every resource id the workflow created or adopted, as it learns them. */
export interface VolumeResources {
  securityGroupId?: string;
  fileSystemId?: string;
  fileSystemShared?: boolean;
  mountTargetIds?: string[];
  createdMountTargetIds?: string[];
  accessPointId?: string;
  persistentVolumeName?: string;
  persistentVolumeClaim?: { namespace: string; name: string };
  storageClassName?: string;
  createdStorageClass?: boolean;
  createdCsiDriver?: boolean;
}

/** A resource rollback could not delete, so that nothing is ever silently lost. */
export interface LeftoverResource {
  readonly type: string;
  readonly id: string;
}

export interface VolumeFailure {
  readonly step: string;
  readonly name: string;
  readonly message: string;
}

export interface VolumeRecord {
  readonly id: string;
  readonly status: VolumeStatus;
  readonly spec: VolumeSpec;
  readonly clusterName: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly executionName?: string;
  readonly steps: Readonly<Record<string, StepRecord>>;
  readonly resources: VolumeResources;
  readonly error?: VolumeFailure;
  readonly rollbackError?: VolumeFailure;
  readonly leftovers?: readonly LeftoverResource[];
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

  /** Records a new volume as PENDING. @throws VolumeRecordStateError if the id is taken */
  async create(
    id: string,
    spec: VolumeSpec,
    extra: { executionName?: string } = {},
  ): Promise<VolumeRecord> {
    const now = this.#now().toISOString();
    const record: VolumeRecord = {
      id,
      status: 'PENDING',
      spec,
      clusterName: spec.clusterName,
      namespace: spec.namespace,
      name: spec.name,
      createdAt: now,
      updatedAt: now,
      ...extra,
      steps: {},
      resources: {},
    };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: record,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VolumeRecordStateError(`volume ${id} already exists`, { cause: error });
      }
      throw error;
    }
    return record;
  }

  async get(id: string): Promise<VolumeRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }),
    );
    return Item as VolumeRecord | undefined;
  }

  /** @throws VolumeRecordStateError when there is no such volume */
  async require(id: string): Promise<VolumeRecord> {
    const record = await this.get(id);
    if (!record) throw new VolumeRecordStateError(`volume ${id} has no record`);
    return record;
  }

  /**
   * Marks a step RUNNING. With `status`, also moves the volume to it, but only from one of
   * `from` (so a late retry cannot move a READY volume back).
   */
  async stepStarted(
    id: string,
    step: string,
    transition?: { status: VolumeStatus; from: readonly VolumeStatus[] },
  ): Promise<void> {
    const now = this.#now().toISOString();
    const names: Record<string, string> = { '#steps': 'steps', '#step': step };
    const values: Record<string, unknown> = {
      ':step': { status: 'RUNNING', startedAt: now },
      ':now': now,
    };
    let update = 'SET #steps.#step = :step, updatedAt = :now';
    let condition = 'attribute_exists(id)';
    if (transition) {
      names['#status'] = 'status';
      values[':status'] = transition.status;
      update += ', #status = :status';
      const allowed = transition.from.map((_, index) => `:from${index}`);
      transition.from.forEach((status, index) => {
        values[`:from${index}`] = status;
      });
      condition += ` AND #status IN (${[':status', ...allowed].join(', ')})`;
    }
    await this.#update(id, update, names, values, condition, step);
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
    await this.#update(id, `SET ${sets.join(', ')}`, names, values, 'attribute_exists(id)', step);
  }

  /** Marks a step FAILED with the error's name and message (never its stack or cause). */
  async stepFailed(
    id: string,
    step: string,
    error: { name: string; message: string },
  ): Promise<void> {
    const now = this.#now().toISOString();
    await this.#update(
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

  /** Sets the volume's status, and the failure, rollback error and leftovers when given. */
  async setStatus(
    id: string,
    status: VolumeStatus,
    details: {
      error?: VolumeFailure;
      rollbackError?: VolumeFailure;
      leftovers?: LeftoverResource[];
    } = {},
  ): Promise<void> {
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
    await this.#update(
      id,
      `SET ${sets.join(', ')}`,
      names,
      values,
      'attribute_exists(id)',
      'status',
    );
  }

  async #update(
    id: string,
    update: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
    condition: string,
    what: string,
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: update,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ConditionExpression: condition,
        }),
      );
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
