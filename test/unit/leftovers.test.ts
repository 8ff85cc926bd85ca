import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { findLeftovers } from '../../functions/lib/workflow/leftovers.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const ec2Mock = mockClient(EC2Client);
const deps = {
  efs: new EFSClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
};
const state = { volumeId: VOLUME_ID, spec: volumeSpec() };

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
}

beforeEach(() => {
  efsMock.reset();
  ec2Mock.reset();
  efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
  efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
});

describe('findLeftovers', () => {
  it('lists a file system it could not describe, with the id the record knows and the reason', async () => {
    // Prepare: DescribeFileSystems is throttled
    efsMock.on(DescribeFileSystemsCommand).rejects(throttled());

    // Act
    const leftovers = await findLeftovers(state, deps, undefined, {
      fileSystemId: 'fs-1',
      mountTargetIds: ['fsmt-1', 'fsmt-2'],
    });

    // Assess
    expect(leftovers).toEqual(
      expect.arrayContaining([
        {
          type: 'FileSystem',
          id: 'fs-1',
          reason: 'could not be checked: ThrottlingException: Rate exceeded',
        },
        {
          type: 'MountTarget',
          id: 'fsmt-1',
          reason: 'could not be checked: its file system could not be described',
        },
        {
          type: 'MountTarget',
          id: 'fsmt-2',
          reason: 'could not be checked: its file system could not be described',
        },
      ]),
    );
  });

  it('lists an undescribable file system as unknown when the record never learned its id', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).rejects(throttled());

    // Act
    const leftovers = await findLeftovers(state, deps, undefined);

    // Assess
    expect(leftovers.filter((resource) => resource.type === 'FileSystem')).toEqual([
      {
        type: 'FileSystem',
        id: 'unknown: could not be checked',
        reason: expect.stringContaining('ThrottlingException'),
      },
    ]);
  });

  it('lists what exists without a reason when every check succeeds', async () => {
    // Prepare: the file system and one mount target are still there
    efsMock.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [{ FileSystemId: 'fs-1' } as never],
    });
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [{ MountTargetId: 'fsmt-1' } as never],
    });

    // Act
    const leftovers = await findLeftovers(state, deps, undefined, { fileSystemId: 'fs-1' });

    // Assess
    expect(leftovers).toEqual([
      { type: 'MountTarget', id: 'fsmt-1' },
      { type: 'FileSystem', id: 'fs-1' },
    ]);
  });

  it("lists a shared file system's access point with a reason when it cannot be checked, never the file system itself", async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    efsMock.on(DescribeAccessPointsCommand).rejects(throttled());

    // Act
    const leftovers = await findLeftovers(
      { volumeId: VOLUME_ID, spec: volumeSpec({ fileSystemId: 'fs-shared' }) },
      deps,
      undefined,
      { fileSystemId: 'fs-shared', fileSystemShared: true, accessPointId: 'fsap-1' },
    );

    // Assess
    expect(leftovers).toEqual([
      { type: 'AccessPoint', id: 'fsap-1', reason: expect.stringContaining('ThrottlingException') },
    ]);
  });
});
