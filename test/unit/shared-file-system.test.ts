import {
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  type FileSystemDescription,
  FileSystemNotFound,
  PolicyNotFound,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { accessPointOnlyPolicy } from '../../functions/lib/aws/file-system-policy.ts';
import { sharedFileSystemProblem } from '../../functions/lib/service/shared-file-system.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const STACK = 'EfsVolumes';
const FILE_SYSTEM_ID = 'fs-0123456789abcdef0';
const FILE_SYSTEM_ARN = `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FILE_SYSTEM_ID}`;
const SHAREABLE = { Key: 'efs-volumes:shareable', Value: 'true' };
const CREATOR = 'vol-0123456789abcdef0123';
const VOLUME_ID = { Key: 'efs-volumes:volume-id', Value: CREATOR };
/** The tags the workflow puts on a file system it creates for volume CREATOR. */
const OURS = [{ Key: 'efs-volumes:stack', Value: STACK }, VOLUME_ID];

function fileSystem(fields: Partial<FileSystemDescription>): FileSystemDescription {
  return {
    FileSystemId: FILE_SYSTEM_ID,
    FileSystemArn: FILE_SYSTEM_ARN,
    CreationToken: 'owners-token',
    LifeCycleState: 'available',
    Tags: [SHAREABLE],
    ...fields,
  } as FileSystemDescription;
}

function noPolicy(): PolicyNotFound {
  return new PolicyNotFound({ message: 'None', $metadata: {}, ErrorCode: 'PolicyNotFound' });
}

beforeEach(() => {
  efsMock.reset();
});

describe('sharedFileSystemProblem', () => {
  it("refuses someone else's shareable file system without a policy with 403 shared-file-system-open", async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem({})] });
    efsMock.on(DescribeFileSystemPolicyCommand).rejects(noPolicy());

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toMatchObject({ status: 403, slug: 'shared-file-system-open' });
    expect(problem?.message).toMatch(/no file system policy.*Its owner must put/);
  });

  it("accepts someone else's shareable file system whose policy closes it", async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem({})] });
    efsMock
      .on(DescribeFileSystemPolicyCommand)
      .resolves({ Policy: JSON.stringify(accessPointOnlyPolicy(FILE_SYSTEM_ARN)) });

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toBeUndefined();
  });

  it('does not read the policy of a file system this stack created: the service writes it', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [fileSystem({ CreationToken: CREATOR, Tags: [SHAREABLE, ...OURS] })],
    });
    efsMock.on(DescribeFileSystemPolicyCommand).rejects(noPolicy());

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toBeUndefined();
    expect(efsMock.commandCalls(DescribeFileSystemPolicyCommand)).toHaveLength(0);
  });

  it.each([
    ['copies our tags under another CreationToken', { Tags: [SHAREABLE, ...OURS] }],
    [
      "carries another stack's tag",
      {
        CreationToken: CREATOR,
        Tags: [SHAREABLE, { Key: 'efs-volumes:stack', Value: 'EfsVolumesStaging' }, VOLUME_ID],
      },
    ],
  ])('reads the policy of a file system that %s', async (_, fields) => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem(fields)] });
    efsMock.on(DescribeFileSystemPolicyCommand).rejects(noPolicy());

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toMatchObject({ status: 403, slug: 'shared-file-system-open' });
  });

  it('refuses a file system without the shareable tag before reading its policy', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem({ Tags: [] })] });

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toMatchObject({ status: 403, slug: 'forbidden' });
    expect(problem?.message).toMatch(/not tagged efs-volumes:shareable=true/);
    expect(efsMock.commandCalls(DescribeFileSystemPolicyCommand)).toHaveLength(0);
  });

  it('refuses a file system deleted between its description and its policy as missing', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem({})] });
    efsMock
      .on(DescribeFileSystemPolicyCommand)
      .rejects(
        new FileSystemNotFound({ message: 'gone', $metadata: {}, ErrorCode: 'FileSystemNotFound' }),
      );

    // Act
    const problem = await sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    expect(problem).toMatchObject({ status: 403, slug: 'forbidden' });
    expect(problem?.message).toMatch(/does not exist/);
  });

  it('lets any other failure to read the policy through, for the service errors to answer', async () => {
    // Prepare
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fileSystem({})] });
    efsMock.on(DescribeFileSystemPolicyCommand).rejects(throttled);

    // Act
    const reading = sharedFileSystemProblem(efs, FILE_SYSTEM_ID, STACK);

    // Assess
    await expect(reading).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
