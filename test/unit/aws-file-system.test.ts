import {
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  FileSystemAlreadyExists,
  type FileSystemDescription,
  FileSystemInUse,
  FileSystemNotFound,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  assertFileSystemAvailable,
  deleteOwnFileSystem,
  describeFileSystem,
  ensureFileSystem,
} from '../../functions/lib/aws/file-system.ts';
import {
  FileSystemNotReadyError,
  FileSystemUnusableError,
  TransientError,
} from '../../functions/lib/errors.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const tags = [{ Key: 'efs-volumes:volume-id', Value: VOLUME_ID }];

function notFound(): FileSystemNotFound {
  return new FileSystemNotFound({
    message: 'no such file system',
    $metadata: {},
    ErrorCode: 'FileSystemNotFound',
  });
}

/** A file system as DescribeFileSystems describes it. */
function fileSystem(overrides: Partial<FileSystemDescription>): FileSystemDescription {
  return {
    OwnerId: '123456789012',
    CreationToken: VOLUME_ID,
    FileSystemId: 'fs-own',
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    LifeCycleState: 'available',
    NumberOfMountTargets: 0,
    SizeInBytes: { Value: 6144 },
    PerformanceMode: 'generalPurpose',
    Tags: [],
    ...overrides,
  };
}

beforeEach(() => {
  efsMock.reset();
});

describe('ensureFileSystem', () => {
  it('creates an encrypted file system with the volume id as CreationToken', async () => {
    // Prepare
    efsMock.on(CreateFileSystemCommand).resolves({ FileSystemId: 'fs-new' });
    const spec = volumeSpec({
      performanceMode: 'maxIO',
      throughputMode: 'provisioned',
      provisionedThroughputInMibps: 64,
    });

    // Act
    const result = await ensureFileSystem(efs, VOLUME_ID, spec, tags, 'alias/volumes');

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-new', shared: false });
    expect(efsMock.commandCalls(CreateFileSystemCommand)[0]?.args[0].input).toEqual({
      CreationToken: VOLUME_ID,
      Encrypted: true,
      KmsKeyId: 'alias/volumes',
      PerformanceMode: 'maxIO',
      ThroughputMode: 'provisioned',
      ProvisionedThroughputInMibps: 64,
      Backup: true,
      Tags: tags,
    });
  });

  it('leaves out KmsKeyId and throughput when not given', async () => {
    // Prepare
    efsMock.on(CreateFileSystemCommand).resolves({ FileSystemId: 'fs-new' });

    // Act
    await ensureFileSystem(efs, VOLUME_ID, volumeSpec(), tags, undefined);

    // Assess
    const input = efsMock.commandCalls(CreateFileSystemCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('KmsKeyId');
    expect(input).not.toHaveProperty('ProvisionedThroughputInMibps');
    expect(input?.ThroughputMode).toBe('elastic');
  });

  it('adopts the file system a previous attempt created (FileSystemAlreadyExists)', async () => {
    // Prepare
    efsMock.on(CreateFileSystemCommand).rejects(
      new FileSystemAlreadyExists({
        message: 'exists',
        $metadata: {},
        ErrorCode: 'FileSystemAlreadyExists',
        FileSystemId: 'fs-earlier',
      }),
    );

    // Act
    const result = await ensureFileSystem(efs, VOLUME_ID, volumeSpec(), tags, undefined);

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-earlier', shared: false });
  });

  it('finds the existing file system by CreationToken when the error does not name it', async () => {
    // Prepare
    efsMock.on(CreateFileSystemCommand).rejects(
      new FileSystemAlreadyExists({
        message: 'exists',
        $metadata: {},
        ErrorCode: 'FileSystemAlreadyExists',
        FileSystemId: undefined,
      }),
    );
    efsMock
      .on(DescribeFileSystemsCommand, { CreationToken: VOLUME_ID })
      .resolves({ FileSystems: [fileSystem({ FileSystemId: 'fs-by-token' })] });

    // Act
    const result = await ensureFileSystem(efs, VOLUME_ID, volumeSpec(), tags, undefined);

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-by-token', shared: false });
  });

  it('asks for a retry when the existing file system cannot be found yet', async () => {
    // Prepare
    const exists = new FileSystemAlreadyExists({
      message: 'exists',
      $metadata: {},
      ErrorCode: 'FileSystemAlreadyExists',
      FileSystemId: undefined,
    });
    efsMock.on(CreateFileSystemCommand).rejects(exists);
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });

    // Act
    const error = await ensureFileSystem(efs, VOLUME_ID, volumeSpec(), tags, undefined).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).cause).toBe(exists);
  });

  it('uses a named available file system as shared, without creating one', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand, { FileSystemId: 'fs-0123456789abcdef0' }).resolves({
      FileSystems: [
        fileSystem({ FileSystemId: 'fs-0123456789abcdef0', LifeCycleState: 'available' }),
      ],
    });

    // Act
    const result = await ensureFileSystem(
      efs,
      VOLUME_ID,
      volumeSpec({ fileSystemId: 'fs-0123456789abcdef0' }),
      tags,
      undefined,
    );

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-0123456789abcdef0', shared: true });
    expect(efsMock.commandCalls(CreateFileSystemCommand)).toHaveLength(0);
  });

  it('refuses a named file system that does not exist', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).rejects(notFound());

    // Act
    const outcome = ensureFileSystem(
      efs,
      VOLUME_ID,
      volumeSpec({ fileSystemId: 'fs-0123456789abcdef0' }),
      tags,
      undefined,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(FileSystemUnusableError);
  });

  it('refuses a named file system that is not available', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        fileSystem({ FileSystemId: 'fs-0123456789abcdef0', LifeCycleState: 'deleting' }),
      ],
    });

    // Act
    const outcome = ensureFileSystem(
      efs,
      VOLUME_ID,
      volumeSpec({ fileSystemId: 'fs-0123456789abcdef0' }),
      tags,
      undefined,
    );

    // Assess
    await expect(outcome).rejects.toThrow(/deleting/);
    await expect(outcome).rejects.toBeInstanceOf(FileSystemUnusableError);
  });
});

describe('describeFileSystem', () => {
  it('gives undefined for a file system that is gone', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).rejects(notFound());

    // Act
    const description = await describeFileSystem(efs, 'fs-gone');

    // Assess
    expect(description).toBeUndefined();
  });
});

describe('assertFileSystemAvailable', () => {
  it('passes when the file system is available', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [fileSystem({ LifeCycleState: 'available' })] });

    // Act
    const outcome = assertFileSystemAvailable(efs, 'fs-1');

    // Assess
    await expect(outcome).resolves.toBeUndefined();
  });

  it('throws FileSystemNotReadyError with the state while it is creating', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [fileSystem({ LifeCycleState: 'creating' })] });

    // Act
    const error = await assertFileSystemAvailable(efs, 'fs-1').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(FileSystemNotReadyError);
    expect(error).toMatchObject({ fileSystemId: 'fs-1', lifeCycleState: 'creating' });
  });
});

describe('deleteOwnFileSystem', () => {
  it('deletes the file system found by CreationToken', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [fileSystem({ FileSystemId: 'fs-own' })] });
    efsMock.on(DeleteFileSystemCommand).resolves({});

    // Act
    const deleted = await deleteOwnFileSystem(efs, VOLUME_ID);

    // Assess
    expect(deleted).toBe('fs-own');
    expect(efsMock.commandCalls(DescribeFileSystemsCommand)[0]?.args[0].input).toEqual({
      CreationToken: VOLUME_ID,
    });
    expect(efsMock.commandCalls(DeleteFileSystemCommand)[0]?.args[0].input).toEqual({
      FileSystemId: 'fs-own',
    });
  });

  it('does nothing when the volume never created one', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });

    // Act
    const deleted = await deleteOwnFileSystem(efs, VOLUME_ID);

    // Assess
    expect(deleted).toBeUndefined();
    expect(efsMock.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
  });

  it('treats FileSystemNotFound as done', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [fileSystem({ FileSystemId: 'fs-own' })] });
    efsMock.on(DeleteFileSystemCommand).rejects(notFound());

    // Act
    const deleted = await deleteOwnFileSystem(efs, VOLUME_ID);

    // Assess
    expect(deleted).toBe('fs-own');
  });

  it('turns FileSystemInUse into a TransientError that keeps the cause', async () => {
    // Prepare
    const inUse = new FileSystemInUse({
      message: 'has mount targets',
      $metadata: {},
      ErrorCode: 'FileSystemInUse',
    });
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [fileSystem({ FileSystemId: 'fs-own' })] });
    efsMock.on(DeleteFileSystemCommand).rejects(inUse);

    // Act
    const error = await deleteOwnFileSystem(efs, VOLUME_ID).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).cause).toBe(inUse);
  });
});
