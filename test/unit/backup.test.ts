import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureFileSystem } from '../../functions/lib/aws/file-system.ts';
import { InvalidVolumeRequestError } from '../../functions/lib/errors.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { VOLUME_ID } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const REQUEST = { clusterName: 'demo', namespace: 'team-a', name: 'data' };

beforeEach(() => {
  efsMock.reset();
  efsMock.on(CreateFileSystemCommand).resolves({ FileSystemId: 'fs-own' } as never);
});

describe('automatic backups', () => {
  it('are on by default for a file system the service creates', async () => {
    // Prepare
    const spec = validateVolumeRequest(REQUEST);

    // Act
    await ensureFileSystem(efs, VOLUME_ID, spec, [], undefined);

    // Assess
    expect(spec.backup).toBe(true);
    expect(efsMock.commandCalls(CreateFileSystemCommand)[0]?.args[0].input.Backup).toBe(true);
  });

  it('are off when the request says backup: false', async () => {
    // Prepare
    const spec = validateVolumeRequest({ ...REQUEST, backup: false });

    // Act
    await ensureFileSystem(efs, VOLUME_ID, spec, [], undefined);

    // Assess
    expect(efsMock.commandCalls(CreateFileSystemCommand)[0]?.args[0].input.Backup).toBe(false);
  });

  it('are refused with fileSystemId: the existing file system is not the service to configure', () => {
    // Act / Assess
    expect(() =>
      validateVolumeRequest({ ...REQUEST, fileSystemId: 'fs-0123456789abcdef0', backup: true }),
    ).toThrow(InvalidVolumeRequestError);
    expect(
      validateVolumeRequest({ ...REQUEST, fileSystemId: 'fs-0123456789abcdef0' }).backup,
    ).toBeUndefined();
  });

  it('are a boolean in the request, nothing else', () => {
    // Act / Assess
    expect(() => validateVolumeRequest({ ...REQUEST, backup: 'yes' })).toThrow(
      InvalidVolumeRequestError,
    );
  });
});
