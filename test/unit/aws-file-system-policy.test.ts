import {
  AccessPointNotFound,
  DescribeAccessPointsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  accessPointOnlyPolicy,
  fileSystemArnOf,
  putAccessPointOnlyPolicy,
} from '../../functions/lib/aws/file-system-policy.ts';
import { TransientError } from '../../functions/lib/errors.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const ACCESS_POINT_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0';
const FILE_SYSTEM_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0';

beforeEach(() => {
  efsMock.reset();
});

describe('fileSystemArnOf', () => {
  it("names the file system in the access point's partition, Region and account", () => {
    // Act
    const arn = fileSystemArnOf(
      'arn:aws-cn:elasticfilesystem:cn-north-1:123456789012:access-point/fsap-1',
      'fs-1',
    );

    // Assess
    expect(arn).toBe('arn:aws-cn:elasticfilesystem:cn-north-1:123456789012:file-system/fs-1');
  });

  it('refuses an ARN that is not an access point', () => {
    // Act
    const act = () => fileSystemArnOf(FILE_SYSTEM_ARN, 'fs-1');

    // Assess
    expect(act).toThrow(/not an EFS access point ARN/);
  });
});

describe('accessPointOnlyPolicy', () => {
  it('denies clients without TLS and allows mounting only through the access point and a mount target', () => {
    // Act
    const policy = accessPointOnlyPolicy('fs-0123456789abcdef0', {
      accessPointArn: ACCESS_POINT_ARN,
    });

    // Assess
    expect(policy).toEqual({
      Version: '2012-10-17',
      Id: 'efs-volumes-access-point-only',
      Statement: [
        {
          Sid: 'DenyUnencryptedTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: '*',
          Resource: FILE_SYSTEM_ARN,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'MountThroughTheVolumeAccessPoint',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: FILE_SYSTEM_ARN,
          Condition: {
            StringEquals: { 'elasticfilesystem:AccessPointArn': ACCESS_POINT_ARN },
            Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          },
        },
      ],
    });
  });

  it('allows root access only when the access point user is root', () => {
    // Act
    const [plain, root] = [false, true].map((rootAccess) =>
      accessPointOnlyPolicy('fs-1', { accessPointArn: ACCESS_POINT_ARN, rootAccess }),
    );

    // Assess
    const actions = (policy: typeof plain) =>
      policy?.Statement.filter((statement) => statement.Effect === 'Allow').flatMap(
        (statement) => statement.Action,
      );
    expect(actions(plain)).not.toContain('elasticfilesystem:ClientRootAccess');
    expect(actions(root)).toContain('elasticfilesystem:ClientRootAccess');
  });

  it('grants nothing that is not conditioned on the access point', () => {
    // Act
    const policy = accessPointOnlyPolicy('fs-1', { accessPointArn: ACCESS_POINT_ARN });

    // Assess
    for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow')) {
      expect(statement.Condition.StringEquals).toEqual({
        'elasticfilesystem:AccessPointArn': ACCESS_POINT_ARN,
      });
    }
  });

  it('stays far below the 20,000 characters EFS accepts', () => {
    // Act
    const policy = accessPointOnlyPolicy('fs-1', {
      accessPointArn: ACCESS_POINT_ARN,
      rootAccess: true,
    });

    // Assess
    expect(JSON.stringify(policy).length).toBeLessThan(2000);
  });
});

describe('putAccessPointOnlyPolicy', () => {
  it("puts the policy naming the access point's ARN as EFS lists it", async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [{ AccessPointId: 'fsap-0123456789abcdef0', AccessPointArn: ACCESS_POINT_ARN }],
    });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, {
      fileSystemId: 'fs-0123456789abcdef0',
      accessPointId: 'fsap-0123456789abcdef0',
    });

    // Assess
    expect(efsMock.commandCalls(DescribeAccessPointsCommand)[0]?.args[0].input).toEqual({
      AccessPointId: 'fsap-0123456789abcdef0',
    });
    const put = efsMock.commandCalls(PutFileSystemPolicyCommand).map((call) => call.args[0].input);
    expect(put).toHaveLength(1);
    expect(put[0]?.FileSystemId).toBe('fs-0123456789abcdef0');
    expect(put[0]?.BypassPolicyLockoutSafetyCheck).toBeUndefined();
    expect(JSON.parse(put[0]?.Policy ?? '{}')).toEqual(policy);
    expect(policy.Statement[1]?.Condition.StringEquals).toEqual({
      'elasticfilesystem:AccessPointArn': ACCESS_POINT_ARN,
    });
  });

  it('writes the same document when retried, so a retry changes nothing', async () => {
    // Prepare
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [{ AccessPointId: 'fsap-0123456789abcdef0', AccessPointArn: ACCESS_POINT_ARN }],
    });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});
    const input = { fileSystemId: 'fs-0123456789abcdef0', accessPointId: 'fsap-0123456789abcdef0' };

    // Act
    await putAccessPointOnlyPolicy(efs, input);
    await putAccessPointOnlyPolicy(efs, input);

    // Assess
    const [first, second] = efsMock
      .commandCalls(PutFileSystemPolicyCommand)
      .map((call) => call.args[0].input.Policy);
    expect(second).toBe(first);
  });

  it.each([
    ['an empty list', () => efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] })],
    [
      'AccessPointNotFound',
      () =>
        efsMock.on(DescribeAccessPointsCommand).rejects(
          new AccessPointNotFound({
            message: 'not yet',
            $metadata: {},
            ErrorCode: 'AccessPointNotFound',
          }),
        ),
    ],
  ])(
    'is transient while EFS answers %s for the new access point, and puts nothing',
    async (_, answer) => {
      // Prepare
      answer();

      // Act
      const put = putAccessPointOnlyPolicy(efs, {
        fileSystemId: 'fs-1',
        accessPointId: 'fsap-0123456789abcdef0',
      });

      // Assess
      await expect(put).rejects.toBeInstanceOf(TransientError);
      expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(0);
    },
  );
});
