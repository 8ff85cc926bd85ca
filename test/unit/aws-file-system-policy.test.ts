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
  it('denies clients without TLS and allows mounting only through the access point and a mount target', () => {
    // Act
    const policy = accessPointOnlyPolicy('fs-0123456789abcdef0', [
      { arn: ACCESS_POINT_ARN, rootUser: false },
    ]);

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
          Sid: 'MountThroughVolumeAccessPoints',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: FILE_SYSTEM_ARN,
          Condition: {
            StringEquals: { 'elasticfilesystem:AccessPointArn': [ACCESS_POINT_ARN] },
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
    const [plain, withRoot] = [
      [{ arn: ACCESS_POINT_ARN, rootUser: false }],
      [
        { arn: ACCESS_POINT_ARN, rootUser: false },
        { arn: rootPoint, rootUser: true },
      ],
    ].map((points) => accessPointOnlyPolicy('fs-1', points));

    // Assess
    const granting = (policy: typeof plain, action: string) =>
      policy?.Statement.filter(
        (statement) => statement.Effect === 'Allow' && [statement.Action].flat().includes(action),
      ).flatMap(
        (statement) => statement.Condition.StringEquals?.['elasticfilesystem:AccessPointArn'],
      );
    expect(granting(plain, 'elasticfilesystem:ClientRootAccess')).toEqual([]);
    expect(granting(withRoot, 'elasticfilesystem:ClientRootAccess')).toEqual([rootPoint]);
    expect(granting(withRoot, 'elasticfilesystem:ClientMount')).toEqual([
      rootPoint,
      ACCESS_POINT_ARN,
    ]);
  });

  it('gives the same document for the same access points in any order', () => {
    // Prepare
    const other = ACCESS_POINT_ARN.replace('fsap-0123456789abcdef0', 'fsap-fedcba98765432100');
    const points = [
      { arn: ACCESS_POINT_ARN, rootUser: false },
      { arn: other, rootUser: false },
    ];

    // Act
    const forward = JSON.stringify(accessPointOnlyPolicy('fs-1', points));
    const backward = JSON.stringify(accessPointOnlyPolicy('fs-1', [...points].reverse()));

    // Assess
    expect(backward).toBe(forward);
  });

  it('grants nothing that is not conditioned on an access point and a mount target', () => {
    // Act
    const policy = accessPointOnlyPolicy('fs-1', [{ arn: ACCESS_POINT_ARN, rootUser: true }]);

    // Assess
    const allows = policy.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(2);
    for (const statement of allows) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'elasticfilesystem:AccessPointArn': [ACCESS_POINT_ARN] },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      });
    }
  });

  it('refuses to allow no access point at all', () => {
    // Act
    const act = () => accessPointOnlyPolicy('fs-1', []);

    // Assess
    expect(act).toThrow(/at least one access point/);
  });

  it('stays far below the 20,000 characters EFS accepts, even with a hundred access points', () => {
    // Prepare: 120 access points per file system is the EFS quota
    const points = Array.from({ length: 100 }, (_, index) => ({
      arn: ACCESS_POINT_ARN.replace('0123456789abcdef0', index.toString(16).padStart(17, '0')),
      rootUser: false,
    }));

    // Act
    const policy = accessPointOnlyPolicy('fs-1', points);

    // Assess
    expect(JSON.stringify(policy).length).toBeLessThan(20_000);
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

function allowedArns(policy: unknown): unknown {
  const statement = (
    policy as { Statement: { Sid: string; Condition: Record<string, Record<string, unknown>> }[] }
  ).Statement.find((s) => s.Sid === 'MountThroughVolumeAccessPoints');
  return statement?.Condition.StringEquals?.['elasticfilesystem:AccessPointArn'];
}

const INPUT = {
  fileSystemId: 'fs-0123456789abcdef0',
  accessPointId: 'fsap-0123456789abcdef0',
  stack: STACK,
};

describe('putAccessPointOnlyPolicy', () => {
  it("puts a policy naming the volume's access point on a file system of this stack", async () => {
    // Prepare
    fileSystemTagged(OUR_TAGS);
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolves({ AccessPoints: [accessPoint('fsap-0123456789abcdef0')] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    const puts = efsMock.commandCalls(PutFileSystemPolicyCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.FileSystemId).toBe('fs-0123456789abcdef0');
    expect(puts[0]?.BypassPolicyLockoutSafetyCheck).toBeUndefined();
    expect(JSON.parse(puts[0]?.Policy ?? '{}')).toEqual(policy);
    expect(allowedArns(policy)).toEqual([ACCESS_POINT_ARN]);
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

  it("allows every live access point of this stack's volumes on the file system, and no one else's", async () => {
    // Prepare: a later volume shares the file system; one access point is being deleted,
    // one belongs to someone else
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({
      AccessPoints: [
        accessPoint('fsap-0123456789abcdef0'),
        accessPoint('fsap-11111111111111111', { PosixUser: { Uid: 0, Gid: 0 } }),
        accessPoint('fsap-22222222222222222', { LifeCycleState: 'deleting' }),
        accessPoint('fsap-33333333333333333', { Tags: [{ Key: 'team', Value: 'payments' }] }),
      ],
    });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    const arn = (id: string) =>
      `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${id}`;
    expect(allowedArns(policy)).toEqual([
      arn('fsap-0123456789abcdef0'),
      arn('fsap-11111111111111111'),
    ]);
    expect(policy?.Statement.map((statement) => statement.Sid)).toEqual([
      'DenyUnencryptedTransport',
      'MountThroughVolumeAccessPoints',
      'RootThroughRootAccessPoints',
    ]);
  });

  it('writes again when another volume adds an access point while the policy is put', async () => {
    // Prepare
    fileSystemTagged(OUR_TAGS);
    const mine = accessPoint('fsap-0123456789abcdef0');
    const theirs = accessPoint('fsap-11111111111111111');
    efsMock
      .on(DescribeAccessPointsCommand)
      .resolvesOnce({ AccessPoints: [mine] })
      .resolves({ AccessPoints: [mine, theirs] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    await putAccessPointOnlyPolicy(efs, INPUT);

    // Assess
    expect(policiesPut().map(allowedArns)).toEqual([
      [mine.AccessPointArn],
      [mine.AccessPointArn, theirs.AccessPointArn],
    ]);
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

  it('allows the new access point before EFS lists it, as root when its user is root', async () => {
    // Prepare: EFS may not list an access point for a moment after creating it
    fileSystemTagged(OUR_TAGS);
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    efsMock.on(PutFileSystemPolicyCommand).resolves({});

    // Act
    const policy = await putAccessPointOnlyPolicy(efs, { ...INPUT, rootUser: true });

    // Assess
    expect(allowedArns(policy)).toEqual([ACCESS_POINT_ARN]);
    expect(policy?.Statement.at(-1)?.Sid).toBe('RootThroughRootAccessPoints');
    expect(efsMock.commandCalls(PutFileSystemPolicyCommand)).toHaveLength(1);
  });
});
