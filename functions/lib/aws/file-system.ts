import {
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  DescribeFileSystemsCommand,
  type EFSClient,
  type FileSystemDescription,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-efs';
import { FileSystemNotReadyError, FileSystemUnusableError, TransientError } from '../errors.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import { POOL_TAG } from '../volume/pool.ts';
import type { VolumeSpec } from '../volume/request.ts';
import { FILE_SYSTEM_STATE_OUTCOMES, type StatusOutcome } from './aws-outcomes.ts';
import { STACK_TAG, type Tag } from './tags.ts';
import { hasOutcome } from './transient.ts';

export interface FileSystemResult {
  readonly fileSystemId: string;
  /** True when the request named an existing file system: never deleted by this service. */
  readonly shared: boolean;
}

/** The value of one of the file system's tags. */
export function fileSystemTag(fileSystem: FileSystemDescription, key: string): string | undefined {
  return fileSystem.Tags?.find((tag) => tag.Key === key)?.Value;
}

/**
 * The volume of this stack that created the file system: it carries this stack's tag and a
 * volume-id tag equal to its CreationToken (the workflow creates file systems with the volume
 * id as token). Undefined for a file system someone else made, tags copied or not.
 */
export function creatorOf(fileSystem: FileSystemDescription, stack: string): string | undefined {
  if (fileSystemTag(fileSystem, STACK_TAG) !== stack) return undefined;
  const volumeId = fileSystemTag(fileSystem, VOLUME_ID_TAG);
  return volumeId && fileSystem.CreationToken === volumeId ? volumeId : undefined;
}

/** The file system this volume created, found by its CreationToken (the volume id). */
export async function findOwnFileSystem(
  efs: EFSClient,
  volumeId: string,
): Promise<FileSystemDescription | undefined> {
  const { FileSystems = [] } = await efs.send(
    new DescribeFileSystemsCommand({ CreationToken: volumeId }),
  );
  return FileSystems[0];
}

export async function describeFileSystem(
  efs: EFSClient,
  fileSystemId: string,
): Promise<FileSystemDescription | undefined> {
  try {
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    return FileSystems[0];
  } catch (error) {
    if (hasOutcome('elasticfilesystem:DescribeFileSystems', error, 'gone')) return undefined;
    throw error;
  }
}

/**
 * Creates the volume's encrypted file system, with automatic backups unless the request said
 * `backup: false`, or adopts the existing one the request names. The CreationToken is the
 * volume id, so a retried step gets the same file system back.
 *
 * @throws FileSystemUnusableError when a named file system is missing or not available
 */
export async function ensureFileSystem(
  efs: EFSClient,
  volumeId: string,
  spec: Pick<
    VolumeSpec,
    | 'fileSystemId'
    | 'performanceMode'
    | 'throughputMode'
    | 'provisionedThroughputInMibps'
    | 'backup'
  >,
  tags: readonly Tag[],
  kmsKeyId: string | undefined,
): Promise<FileSystemResult> {
  if (spec.fileSystemId) {
    const existing = await describeFileSystem(efs, spec.fileSystemId);
    if (!existing)
      throw new FileSystemUnusableError(`file system ${spec.fileSystemId} does not exist`);
    const outcome = fileSystemStateOutcome(existing);
    if (outcome === 'wait') {
      // `updating` (a throughput change): it will serve again; the state machine retries.
      throw new TransientError(`file system ${spec.fileSystemId} is ${existing.LifeCycleState}`);
    }
    if (outcome !== 'ready') {
      throw new FileSystemUnusableError(
        `file system ${spec.fileSystemId} is ${existing.LifeCycleState}, not available`,
      );
    }
    return { fileSystemId: spec.fileSystemId, shared: true };
  }
  try {
    const created = await efs.send(
      new CreateFileSystemCommand({
        CreationToken: volumeId,
        Encrypted: true,
        ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
        PerformanceMode: spec.performanceMode,
        ThroughputMode: spec.throughputMode,
        ...(spec.provisionedThroughputInMibps !== undefined
          ? { ProvisionedThroughputInMibps: spec.provisionedThroughputInMibps }
          : {}),
        // Automatic backups at creation (no PutBackupPolicy call, no extra permission): a
        // Delete reclaim policy then still leaves AWS Backup's recovery points.
        Backup: spec.backup ?? true,
        Tags: [...tags],
      }),
    );
    if (!created.FileSystemId)
      throw new TransientError('CreateFileSystem returned no FileSystemId');
    return { fileSystemId: created.FileSystemId, shared: false };
  } catch (error) {
    if (!hasOutcome('elasticfilesystem:CreateFileSystem', error, 'adopt')) throw error;
    const existing =
      (error as { FileSystemId?: string }).FileSystemId ??
      (await findOwnFileSystem(efs, volumeId))?.FileSystemId;
    if (!existing)
      throw new TransientError('file system exists but cannot be found yet', { cause: error });
    return { fileSystemId: existing, shared: false };
  }
}

/**
 * The warm pool file system made under this volume's id, taken over: the volume's tags put on
 * it (its name, the caller's tags, its reclaim policy), then the pool's tag taken off. A retry
 * finds it without the pool tag and does nothing.
 *
 * @returns its id; undefined when there is none (it went: the step then makes a new one)
 */
export async function takeOverPooledFileSystem(
  efs: EFSClient,
  volumeId: string,
  tags: readonly Tag[],
): Promise<string | undefined> {
  const own = await findOwnFileSystem(efs, volumeId);
  const fileSystemId = own?.FileSystemId;
  if (!own || !fileSystemId || fileSystemStateOutcome(own) !== 'ready') return undefined;
  if (fileSystemTag(own, POOL_TAG) === undefined) return fileSystemId;
  await efs.send(new TagResourceCommand({ ResourceId: fileSystemId, Tags: [...tags] }));
  await efs.send(new UntagResourceCommand({ ResourceId: fileSystemId, TagKeys: [POOL_TAG] }));
  return fileSystemId;
}

/**
 * What a file system's state means (aws-outcomes.ts): a state the model does not declare is
 * waited for, like one that will change.
 */
function fileSystemStateOutcome(fileSystem: FileSystemDescription): StatusOutcome {
  const state = fileSystem.LifeCycleState;
  return (state && FILE_SYSTEM_STATE_OUTCOMES[state]) || 'wait';
}

/**
 * @throws FileSystemNotReadyError until the file system is `available` (and while EFS does not
 *   list one just created)
 * @throws FileSystemUnusableError when it is `deleting`, `deleted` or `error`: waiting is vain
 */
export async function assertFileSystemAvailable(
  efs: EFSClient,
  fileSystemId: string,
): Promise<void> {
  const description = await describeFileSystem(efs, fileSystemId);
  const outcome = description ? fileSystemStateOutcome(description) : 'wait';
  if (outcome === 'ready') return;
  const state = description?.LifeCycleState ?? 'missing';
  if (outcome === 'wait') throw new FileSystemNotReadyError(fileSystemId, state);
  throw new FileSystemUnusableError(`file system ${fileSystemId} is ${state}: it will not serve`);
}

/**
 * Deletes the file system this volume created (never a shared one); gone is done. EFS
 * answers FileSystemInUse while mount targets remain, which the state machine retries.
 */
export async function deleteOwnFileSystem(
  efs: EFSClient,
  volumeId: string,
): Promise<string | undefined> {
  const own = await findOwnFileSystem(efs, volumeId);
  if (!own?.FileSystemId) return undefined;
  try {
    await efs.send(new DeleteFileSystemCommand({ FileSystemId: own.FileSystemId }));
  } catch (error) {
    const operation = 'elasticfilesystem:DeleteFileSystem';
    if (hasOutcome(operation, error, 'gone')) return own.FileSystemId;
    if (hasOutcome(operation, error, 'wait')) {
      throw new TransientError(`file system ${own.FileSystemId} still has mount targets`, {
        cause: error,
      });
    }
    throw error;
  }
  return own.FileSystemId;
}
