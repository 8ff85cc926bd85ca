import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** Who a directory of a shared file system belongs to: the volume that took it, and its owner. */
export interface PathHolder {
  readonly volumeId: string;
  /** The principal that created that volume (the record's `caller`); unknown for others' access points. */
  readonly caller: string | undefined;
  readonly clusterName?: string;
  readonly namespace?: string;
}

/** The directories taken on one file system, with the item's version for a conditional write. */
export interface FileSystemPaths {
  /** 0 when nothing was ever recorded for the file system. */
  readonly version: number;
  readonly paths: Readonly<Record<string, PathHolder>>;
}

const itemId = (fileSystemId: string) => `paths#${fileSystemId}`;

/**
 * The directories volumes took on each shared file system, one item per file system in the
 * volumes table, never released: a deleted volume's data stays in its directory, so the
 * directory stays its owner's. Written with optimistic concurrency (the item's version), so
 * two volumes taking overlapping directories at once cannot both succeed.
 */
export class FileSystemPathStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.#client = client;
    this.#table = table;
  }

  async read(fileSystemId: string): Promise<FileSystemPaths> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { id: itemId(fileSystemId) },
        ConsistentRead: true,
      }),
    );
    const item = Item as { version?: number; paths?: Record<string, PathHolder> } | undefined;
    return { version: item?.version ?? 0, paths: item?.paths ?? {} };
  }

  /**
   * Records `entries` (path → holder) if the file system's item is still at `version`.
   *
   * @returns false when another write came first: read again and decide again
   */
  async write(
    fileSystemId: string,
    version: number,
    entries: Readonly<Record<string, PathHolder>>,
  ): Promise<boolean> {
    try {
      if (version === 0) {
        await this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: { id: itemId(fileSystemId), version: 1, paths: entries },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return true;
      }
      const names: Record<string, string> = { '#version': 'version', '#paths': 'paths' };
      const values: Record<string, unknown> = { ':version': version, ':next': version + 1 };
      const sets = ['#version = :next'];
      Object.entries(entries).forEach(([path, holder], index) => {
        names[`#p${index}`] = path;
        values[`:p${index}`] = holder;
        sets.push(`#paths.#p${index} = :p${index}`);
      });
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id: itemId(fileSystemId) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
