import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  accessPointArnOf,
  accessPointOnlyPolicy,
  fileSystemArnOf,
  putAccessPointOnlyPolicy,
} from '../../functions/lib/aws/file-system-policy.ts';
import { FileSystemPolicyTooLargeError, TransientError } from '../../functions/lib/errors.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const ACCESS_POINT_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0';
const FILE_SYSTEM_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0';

beforeEach(() => {
  efsMock.reset();
});

describe('accessPointArnOf', () => {
  it("names the access point in the file system's partition, Region and account", () => {
    // Act
    const arn = accessPointArnOf(FILE_SYSTEM_ARN, 'fsap-0123456789abcdef0');

    // Assess
    expect(arn).toBe(ACCESS_POINT_ARN);
  });
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
  it('denies clients without TLS and allows mounting only through an access point and a mount target', () => {
    // Act
    const policy = accessPointOnlyPolicy(FILE_SYSTEM_ARN);

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
          Sid: 'MountThroughAccessPoints',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: FILE_SYSTEM_ARN,
          Condition: {
            ArnLike: {
              'elasticfilesystem:AccessPointArn':
                'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-*',
            },
            Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          },
        },
      ],
    });
  });

  it('allows root access only through access points whose user is root', () => {
    // Prepare
    const rootPoint = ACCESS_POINT_ARN.replace('fsap-0123456789abcdef0', 'fsap-00000000000000000');

    // Act
    const [plain, withRoot] = [[], [rootPoint]].map((roots) =>
      accessPointOnlyPolicy(FILE_SYSTEM_ARN, roots),
    );

    // Assess
    const granting = (policy: typeof plain, action: string) =>
      policy?.Statement.filter(
        (statement) => statement.Effect === 'Allow' && [statement.Action].flat().includes(action),
      ).map((statement) => statement.Condition);
    expect(granting(plain, 'elasticfilesystem:ClientRootAccess')).toEqual([]);
    expect(granting(withRoot, 'elasticfilesystem:ClientRootAccess')).toEqual([
      {
        StringEquals: { 'elasticfilesystem:AccessPointArn': [rootPoint] },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    ]);
  });

  it('gives the same document for the same root access points in any order', () => {
    // Prepare
    const other = ACCESS_POINT_ARN.replace('fsap-0123456789abcdef0', 'fsap-fedcba98765432100');

    // Act
    const forward = JSON.stringify(
      accessPointOnlyPolicy(FILE_SYSTEM_ARN, [ACCESS_POINT_ARN, other]),
    );
    const backward = JSON.stringify(
      accessPointOnlyPolicy(FILE_SYSTEM_ARN, [other, ACCESS_POINT_ARN]),
    );

    // Assess
    expect(backward).toBe(forward);
  });

  it('grants nothing that is not conditioned on an access point and a mount target', () => {
    // Act
    const policy = accessPointOnlyPolicy(FILE_SYSTEM_ARN, [ACCESS_POINT_ARN]);

    // Assess
    const allows = policy.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(2);
    for (const statement of allows) {
      expect(Object.keys(statement.Condition).sort()).toEqual(expect.arrayContaining(['Bool']));
      expect(statement.Condition.Bool).toEqual({
        'elasticfilesystem:AccessedViaMountTarget': 'true',
      });
      expect(
        statement.Condition.ArnLike?.['elasticfilesystem:AccessPointArn'] ??
          statement.Condition.StringEquals?.['elasticfilesystem:AccessPointArn'],
      ).toBeDefined();
    }
  });

  it('refuses an ARN that is not a file system', () => {
    // Act
    const act = () => accessPointOnlyPolicy(ACCESS_POINT_ARN);

    // Assess
    expect(act).toThrow(/not an EFS file system ARN/);
  });

  it('does not grow with the number of volumes on the file system', () => {
    // Act: the document is the same whatever access points exist; only root ones are listed
    const policy = accessPointOnlyPolicy(FILE_SYSTEM_ARN);

    // Assess
    expect(JSON.stringify(policy).length).toBeLessThan(1_000);
  });
});

const STACK = 'EfsVolumes';
const OUR_TAGS = [
  { Key: 'efs-volumes:stack', Value: STACK },
  { Key: 'efs-volumes:volume-id', Value: 'vol-0123456789abcdef0123' },
];

function accessPoint(id: string, overrides: Partial<AccessPointDescription> = {}) {
  return {
    AccessPointId: id,
    AccessPointArn: `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${id}`,
    FileSystemId: 'fs-0123456789abcdef0',
    LifeCycleState: 'available' as const,
    PosixUser: { Uid: 1000, Gid: 1000 },
    Tags: OUR_TAGS,
    ...overrides,
  };
}

function fileSystemTagged(tags: { Key: string; Value: string }[]) {
  efsMock.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      {
        FileSystemId: 'fs-0123456789abcdef0',
        FileSystemArn: FILE_SYSTEM_ARN,
        LifeCycleState: 'available',
        Tags: tags,
      } as never,
    ],
  });
}

function policiesPut(): unknown[] {
  return efsMock
    .commandCalls(PutFileSystemPolicyCommand)
    .map((call) => JSON.parse(call.args[0].input.Policy ?? '{}'));
}

function mountCondition(policy: unknown): unknown {
  const statement = (
    policy as { Statement: { Sid: string; Condition: Record<string, Record<string, unknown>> }[] }
  ).Statement.find((s) => s.Sid === 'MountThroughAccessPoints');
  return statement?.Condition.ArnLike?.['elasticfilesystem:AccessPointArn'];
}

function rootArns(policy: unknown): unknown {
  const statement = (
    policy as { Statement: { Sid: string; Condition: Record<string, Record<string, unknown>> }[] }
  ).Statement.find((s) => s.Sid === 'RootThroughRootAccessPoints');
  return statement?.Condition.StringEquals?.['elasticfilesystem:AccessPointArn'];
}

const INPUT = { fileSystemId: 'fs-0123456789abcdef0', stack: STACK };

describe('putAccessPointOnlyPolicy', () => {
  it('puts the access-point-only policy on a file system of this stack, before any access point exists', async () => {
    // Prepare
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    const puts = efsMock.commandCalls(PutFileSystemPolicyCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.FileSystemId).toBe('fs-0123456789abcdef0');
    expect(puts[0]?.BypassPolicyLockoutSafetyCheck).toBeUndefined();
    expect(JSON.parse(puts[0]?.Policy ?? '{}')).toEqual(policy);
    expect(mountCondition(policy)).toBe(
      'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-*',
    );
    expect(rootArns(policy)).toBeUndefined();
  });

  it("leaves a file system without this stack's tag alone: a shared one's policy is its owner's", async () => {
    // Prepare
    fileSystemTagged([
      { Key: 'Name', Value: 'production-data' },
      { Key: 'efs-volumes:stack', Value: 'EfsVolumesStaging' },
    ]);

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    expect(policy).toBeUndefined();
    expect(efsMock.commandCalls(DescribeAccessPointsCommand)).toHaveLength(0);
    expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(0);
  });

  it('grants root access through the live access points whose user is root, and no other', async () => {
    // Prepare: one root access point, one being deleted, one plain
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [
        accessPoint('fsap-0123456789abcdef0'),
        accessPoint('fsap-11111111111111111', { PosixUser: { Uid: 0, Gid: 0 } }),
        accessPoint('fsap-22222222222222222', {
          LifeCycleState: 'deleting',
          PosixUser: { Uid: 0, Gid: 0 },
        }),
      ],
    });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    expect(rootArns(policy)).toEqual([
      'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-11111111111111111',
    ]);
    expect(policy?.Statement.map((statement) => statement.Sid)).toEqual([
      'DenyUnencryptedTransport',
      'MountThroughAccessPoints',
      'RootThroughRootAccessPoints',
    ]);
  });

  it('writes again when another root access point appears while the policy is put', async () => {
    // Prepare
    fileSystemTagged(OUR_TAGS);
    const theirs = accessPoint('fsap-11111111111111111', { PosixUser: { Uid: 0, Gid: 0 } });
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolvesOnce({ AccessPoints: [] })
      .resolves({ AccessPoints: [theirs] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    expect(policiesPut().map(rootArns)).toEqual([undefined, [theirs.AccessPointArn]]);
  });

  it('writes the same document when retried, so a retry changes nothing', async () => {
    // Prepare
    fileSystemTagged(OUR_TAGS);
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [accessPoint('fsap-0123456789abcdef0')] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    await putAccessPointOnlyPolicy(efs, INPUT);
    await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    const [first, second] = policiesPut();
    expect(second).toEqual(first);
  });

  it('is transient while EFS does not list the file system yet, rather than leave it open', async () => {
    // Prepare
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });

    // Act
    const put = putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    await expect(put).rejects.toBeInstanceOf(TransientError);
    expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(0);
  });

  it('grants a new root access point root access before EFS lists it', async () => {
    // Prepare: EFS may not list an access point for a moment after creating it
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, {
      ...INPUT,
      rootAccessPointId: 'fsap-0123456789abcdef0',
    });

    // Assess
    expect(rootArns(policy)).toEqual([ACCESS_POINT_ARN]);
    expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(1);
  });

  it("refuses, without writing, a policy over EFS's 20,000 characters", async () => {
    // Prepare: 250 root access points
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: Array.from({ length: 250 }, (_, index) =>
        accessPoint(`fsap-${index.toString(16).padStart(17, '0')}`, {
          PosixUser: { Uid: 0, Gid: 0 },
        }),
      ),
    });

    // Act
    const put = putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    await expect(put).rejects.toBeInstanceOf(FileSystemPolicyTooLargeError);
    expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(0);
  });
});
