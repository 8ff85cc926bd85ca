import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  DeleteAccessPointCommand,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import {
  CreateClusterCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
  UpdateClusterConfigCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AWS_DURATIONS, drawSeconds } from '../../local/aws-model/durations.ts';
import {
  type AwsModelOptions,
  FILE_SYSTEM_POLICY_MAX_CHARACTERS,
} from '../../local/aws-model/model.ts';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.ts';
import { seededRandom } from '../../local/seeded-random.ts';

const motoEndpoint = process.env.AWS_ENDPOINT_URL ?? '';
const moto = { ec2: new EC2Client({}), eks: new EKSClient({}) };
let vpcId = '';
let subnetId = '';
const running: FaultProxy[] = [];

beforeAll(async () => {
  const { Vpc } = await moto.ec2.send(new CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }));
  vpcId = Vpc?.VpcId ?? '';
  const { Subnet } = await moto.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: '10.60.0.0/20',
      AvailabilityZone: 'us-east-1a',
    }),
  );
  subnetId = Subnet?.SubnetId ?? '';
});

afterEach(async () => {
  for (const proxy of running.splice(0)) await proxy.stop();
});

/** The model in front of the shared moto, on a clock the test moves. */
async function startModel(options: AwsModelOptions = {}) {
  let now = 1_000_000;
  const proxy = await startFaultProxy({
    upstream: motoEndpoint,
    model: {
      timeScale: 1,
      consistencySeconds: 0,
      rateLimits: {},
      durations: {
        fileSystemCreating: 5,
        mountTargetCreating: 70,
        mountTargetDeleting: 60,
        accessPointCreating: 2,
      },
      clock: () => now,
      ...options,
    },
  });
  running.push(proxy);
  const config = { endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 };
  return {
    proxy,
    efs: new EFSClient(config),
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    /** Moves the clock on by AWS seconds. */
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const token = () => `vol-${randomBytes(5).toString('hex')}`;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

async function fileSystemState(efs: EFSClient, FileSystemId: string) {
  const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({ FileSystemId }));
  return FileSystems[0]?.LifeCycleState;
}

async function mountTargetStates(efs: EFSClient, FileSystemId: string) {
  const { MountTargets = [] } = await efs.send(new DescribeMountTargetsCommand({ FileSystemId }));
  return MountTargets.map((target) => target.LifeCycleState);
}

/** A file system past its creation, with one mount target, through the model. */
async function withMountTarget(aws: Awaited<ReturnType<typeof startModel>>) {
  const { FileSystemId = '' } = await aws.efs.send(
    new CreateFileSystemCommand({ CreationToken: token() }),
  );
  const { GroupId = '' } = await aws.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: token(),
      Description: 'mount targets',
      VpcId: vpcId,
    }),
  );
  aws.advance(5);
  const { MountTargetId = '' } = await aws.efs.send(
    new CreateMountTargetCommand({ FileSystemId, SubnetId: subnetId, SecurityGroups: [GroupId] }),
  );
  return { FileSystemId, GroupId, MountTargetId };
}

describe('the AWS model', () => {
  it('refuses a file system policy while the file system is creating, and one over 20,000 characters, with the errors EFS declares', async () => {
    // Prepare: a policy of n statements, each allowing ClientMount over TLS
    const aws = await startModel();
    const { FileSystemId = '' } = await aws.efs.send(
      new CreateFileSystemCommand({ CreationToken: token() }),
    );
    const policy = (statements: number) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: Array.from({ length: statements }, (_, index) => ({
          Sid: `mount${index}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'elasticfilesystem:ClientMount',
          Resource: `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FileSystemId}`,
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        })),
      });
    const small = policy(1);
    let count = 1;
    while (policy(count).length <= FILE_SYSTEM_POLICY_MAX_CHARACTERS) count++;
    const large = policy(count);

    // Act
    const whileCreating = await failure(
      aws.efs.send(new PutFileSystemPolicyCommand({ FileSystemId, Policy: small })),
    );
    aws.advance(10);
    const tooLarge = await failure(
      aws.efs.send(new PutFileSystemPolicyCommand({ FileSystemId, Policy: large })),
    );
    const storedAfterRefusal = await failure(
      aws.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId })),
    );
    await aws.efs.send(new PutFileSystemPolicyCommand({ FileSystemId, Policy: small }));

    // Assess
    expect((whileCreating as Error).name).toBe('IncorrectFileSystemLifeCycleState');
    expect(large.length).toBeGreaterThan(FILE_SYSTEM_POLICY_MAX_CHARACTERS);
    expect((tooLarge as Error).name).toBe('InvalidPolicyException');
    expect((tooLarge as Error).message).toContain(String(large.length));
    expect((storedAfterRefusal as Error).name).toBe('PolicyNotFound');
    const { Policy } = await aws.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId }));
    expect(JSON.parse(Policy ?? '{}')).toEqual(JSON.parse(small));
  });

  it('shows a new file system creating, then available once its duration has passed', async () => {
    // Prepare
    const aws = await startModel();

    // Act
    const created = await aws.efs.send(new CreateFileSystemCommand({ CreationToken: token() }));
    const id = created.FileSystemId ?? '';
    const early = await fileSystemState(aws.efs, id);
    aws.advance(5);

    // Assess
    expect(created.LifeCycleState).toBe('creating');
    expect(early).toBe('creating');
    expect(await fileSystemState(aws.efs, id)).toBe('available');
  });

  it('refuses mount targets and access points on a file system still creating with 409 IncorrectFileSystemLifeCycleState', async () => {
    // Prepare
    const aws = await startModel();
    const { FileSystemId = '' } = await aws.efs.send(
      new CreateFileSystemCommand({ CreationToken: token() }),
    );

    // Act
    const mountTarget = await failure(
      aws.efs.send(new CreateMountTargetCommand({ FileSystemId, SubnetId: subnetId })),
    );
    const accessPoint = await failure(
      aws.efs.send(new CreateAccessPointCommand({ FileSystemId, ClientToken: token() })),
    );
    const raw = await fetch(`${aws.proxy.endpoint}/2015-02-01/mount-targets`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/elasticfilesystem/aws4_request, SignedHeaders=host, Signature=abc',
      },
      body: JSON.stringify({ FileSystemId, SubnetId: subnetId }),
    });

    // Assess: EFS's REST-JSON error shape, which the SDK names
    for (const refused of [mountTarget, accessPoint]) {
      expect(refused).toMatchObject({
        name: 'IncorrectFileSystemLifeCycleState',
        ErrorCode: 'IncorrectFileSystemLifeCycleState',
        $metadata: { httpStatusCode: 409 },
      });
    }
    expect(raw.status).toBe(409);
    expect(raw.headers.get('x-amzn-errortype')).toBe('IncorrectFileSystemLifeCycleState');
    expect(await raw.json()).toMatchObject({
      ErrorCode: 'IncorrectFileSystemLifeCycleState',
      Message: expect.stringContaining(FileSystemId),
    });
    expect(aws.proxy.model?.stats().refused).toMatchObject({
      'elasticfilesystem CreateMountTarget IncorrectFileSystemLifeCycleState': 2,
    });
  });

  it('shows a new mount target creating until its drawn duration has passed', async () => {
    // Prepare
    const aws = await startModel();
    const { FileSystemId, MountTargetId } = await withMountTarget(aws);

    // Act
    const early = await mountTargetStates(aws.efs, FileSystemId);
    aws.advance(69);
    const almost = await mountTargetStates(aws.efs, FileSystemId);
    aws.advance(1);
    const { MountTargets = [] } = await aws.efs.send(
      new DescribeMountTargetsCommand({ MountTargetId }),
    );

    // Assess
    expect(early).toEqual(['creating']);
    expect(almost).toEqual(['creating']);
    expect(MountTargets.map((target) => target.LifeCycleState)).toEqual(['available']);
  });

  it('keeps a deleted mount target deleting, refusing DescribeMountTargetSecurityGroups with IncorrectMountTargetState, DeleteFileSystem with FileSystemInUse and DeleteSecurityGroup with DependencyViolation meanwhile', async () => {
    // Prepare
    const aws = await startModel();
    const { FileSystemId, GroupId, MountTargetId } = await withMountTarget(aws);
    aws.advance(70);

    // Act
    await aws.efs.send(new DeleteMountTargetCommand({ MountTargetId }));
    const listed = await mountTargetStates(aws.efs, FileSystemId);
    const groups = await failure(
      aws.efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId })),
    );
    const fileSystemInUse = await failure(
      aws.efs.send(new DeleteFileSystemCommand({ FileSystemId })),
    );
    const groupInUse = await failure(aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId })));
    aws.advance(60);
    const after = await mountTargetStates(aws.efs, FileSystemId);
    await aws.efs.send(new DeleteFileSystemCommand({ FileSystemId }));
    await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));

    // Assess
    expect(listed).toEqual(['deleting']);
    expect(groups).toMatchObject({
      name: 'IncorrectMountTargetState',
      ErrorCode: 'IncorrectMountTargetState',
      $metadata: { httpStatusCode: 409 },
    });
    expect(fileSystemInUse).toMatchObject({
      name: 'FileSystemInUse',
      $metadata: { httpStatusCode: 409 },
    });
    expect(groupInUse).toMatchObject({
      name: 'DependencyViolation',
      $metadata: { httpStatusCode: 400 },
    });
    expect(after).toEqual([]);
  });

  it('refuses to delete a security group a live mount target uses', async () => {
    // Prepare
    const aws = await startModel();
    const { GroupId } = await withMountTarget(aws);

    // Act
    const refused = await failure(aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId })));

    // Assess
    expect(refused).toMatchObject({ name: 'DependencyViolation' });
  });

  it('shows a new access point creating, then available', async () => {
    // Prepare
    const aws = await startModel();
    const { FileSystemId = '' } = await aws.efs.send(
      new CreateFileSystemCommand({ CreationToken: token() }),
    );
    aws.advance(5);

    // Act
    const created = await aws.efs.send(
      new CreateAccessPointCommand({ FileSystemId, ClientToken: token() }),
    );
    const early = await aws.efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: created.AccessPointId }),
    );
    aws.advance(2);
    const later = await aws.efs.send(new DescribeAccessPointsCommand({ FileSystemId }));

    // Assess
    expect(created.LifeCycleState).toBe('creating');
    expect(early.AccessPoints?.[0]?.LifeCycleState).toBe('creating');
    expect(later.AccessPoints?.map((point) => point.LifeCycleState)).toEqual(['available']);
  });

  it('answers FileSystemLimitExceeded and AccessPointLimitExceeded at the configured counts', async () => {
    // Prepare
    const aws = await startModel({
      limits: { fileSystemsPerAccount: 1, accessPointsPerFileSystem: 1 },
    });
    const first = await aws.efs.send(new CreateFileSystemCommand({ CreationToken: token() }));
    const FileSystemId = first.FileSystemId ?? '';
    aws.advance(5);
    const point = await aws.efs.send(
      new CreateAccessPointCommand({ FileSystemId, ClientToken: token() }),
    );

    // Act
    const fileSystems = await failure(
      aws.efs.send(new CreateFileSystemCommand({ CreationToken: token() })),
    );
    const accessPoints = await failure(
      aws.efs.send(new CreateAccessPointCommand({ FileSystemId, ClientToken: token() })),
    );
    await aws.efs.send(new DeleteAccessPointCommand({ AccessPointId: point.AccessPointId }));
    await aws.efs.send(new DeleteFileSystemCommand({ FileSystemId }));
    const again = await aws.efs.send(new CreateFileSystemCommand({ CreationToken: token() }));

    // Assess: 403, as EFS answers; freed once deleted
    expect(fileSystems).toMatchObject({
      name: 'FileSystemLimitExceeded',
      $metadata: { httpStatusCode: 403 },
    });
    expect(accessPoints).toMatchObject({
      name: 'AccessPointLimitExceeded',
      $metadata: { httpStatusCode: 403 },
    });
    expect(again.FileSystemId).toBeDefined();
  });

  it('may not find a resource right after its creation, for the consistency window', async () => {
    // Prepare
    const aws = await startModel({ consistencySeconds: 2, durations: { fileSystemCreating: 0 } });
    // The mount target's group from before the window: a new one EFS would not know yet.
    const { GroupId: settledGroupId = '' } = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: token(), Description: 'sg', VpcId: vpcId }),
    );
    aws.advance(2);
    const { FileSystemId = '' } = await aws.efs.send(
      new CreateFileSystemCommand({ CreationToken: token() }),
    );
    const { GroupId = '' } = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: token(), Description: 'sg', VpcId: vpcId }),
    );
    const { MountTargetId } = await aws.efs.send(
      new CreateMountTargetCommand({
        FileSystemId,
        SubnetId: subnetId,
        SecurityGroups: [settledGroupId],
      }),
    );
    const { AccessPointId } = await aws.efs.send(
      new CreateAccessPointCommand({ FileSystemId, ClientToken: token() }),
    );

    // Act
    const missing = await Promise.all([
      failure(aws.efs.send(new DescribeFileSystemsCommand({ FileSystemId }))),
      failure(aws.efs.send(new DescribeMountTargetsCommand({ MountTargetId }))),
      failure(aws.efs.send(new DescribeAccessPointsCommand({ AccessPointId }))),
      failure(aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }))),
    ]);
    const listed = await mountTargetStates(aws.efs, FileSystemId);
    const { FileSystems = [] } = await aws.efs.send(new DescribeFileSystemsCommand({}));
    const { AccessPoints = [] } = await aws.efs.send(
      new DescribeAccessPointsCommand({ FileSystemId }),
    );
    aws.advance(2);
    const seen = await fileSystemState(aws.efs, FileSystemId);

    // Assess
    expect(missing.map((error) => (error as Error).name)).toEqual([
      'FileSystemNotFound',
      'MountTargetNotFound',
      'AccessPointNotFound',
      'InvalidGroup.NotFound',
    ]);
    expect(listed).toEqual([]);
    expect(FileSystems.map((item) => item.FileSystemId)).not.toContain(FileSystemId);
    expect(AccessPoints).toEqual([]);
    expect(seen).toBe('available');
  });

  it('does not know a new security group by its id for the window after CreateSecurityGroup', async () => {
    // Prepare: EC2 is eventually consistent (EC2 developer guide, "Eventual consistency")
    const aws = await startModel({ consistencySeconds: 2, durations: { fileSystemCreating: 0 } });
    const { FileSystemId = '' } = await aws.efs.send(
      new CreateFileSystemCommand({ CreationToken: token() }),
    );
    const { GroupId = '' } = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: token(), Description: 'sg', VpcId: vpcId }),
    );
    const nfs = { IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049 };
    const anywhere = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const egressNfs = [{ ...nfs, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];

    // Act
    const refused = await Promise.all([
      failure(
        aws.ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId,
            IpPermissions: [{ ...nfs, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
          }),
        ),
      ),
      failure(
        aws.ec2.send(
          new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: egressNfs }),
        ),
      ),
      failure(
        aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: anywhere })),
      ),
      failure(
        aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: anywhere })),
      ),
      failure(
        aws.ec2.send(
          new CreateTagsCommand({ Resources: [GroupId], Tags: [{ Key: 'k', Value: 'v' }] }),
        ),
      ),
      failure(aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }))),
      failure(
        aws.efs.send(
          new CreateMountTargetCommand({
            FileSystemId,
            SubnetId: subnetId,
            SecurityGroups: [GroupId],
          }),
        ),
      ),
    ]);
    aws.advance(2);
    const authorized = await aws.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: egressNfs }),
    );

    // Assess
    expect(refused.map((error) => (error as Error | undefined)?.name)).toEqual([
      ...Array(6).fill('InvalidGroup.NotFound'),
      'SecurityGroupNotFound',
    ]);
    expect((refused[6] as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(
      400,
    );
    expect(authorized.Return).toBe(true);
    expect(aws.proxy.model?.stats().refused).toMatchObject({
      'ec2 AuthorizeSecurityGroupIngress InvalidGroup.NotFound': 1,
      'ec2 AuthorizeSecurityGroupEgress InvalidGroup.NotFound': 1,
      'ec2 RevokeSecurityGroupEgress InvalidGroup.NotFound': 1,
      'ec2 RevokeSecurityGroupIngress InvalidGroup.NotFound': 1,
      'ec2 CreateTags InvalidGroup.NotFound': 1,
      'ec2 DescribeSecurityGroups InvalidGroup.NotFound': 1,
      'elasticfilesystem CreateMountTarget SecurityGroupNotFound': 1,
    });
  });

  it('still lets DeleteSecurityGroup reach a group inside its window', async () => {
    // Prepare: the code reads DeleteSecurityGroup's InvalidGroup.NotFound as gone
    const aws = await startModel({ consistencySeconds: 2 });
    const { GroupId = '' } = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: token(), Description: 'sg', VpcId: vpcId }),
    );

    // Act
    await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));

    // Assess
    expect(aws.proxy.model?.stats().refused).toEqual({});
  });

  it('throttles each API with a token bucket, in the service’s own throttling error', async () => {
    // Prepare: two calls at once, one more each second
    const aws = await startModel({
      rateLimits: {
        'elasticfilesystem *': { perSecond: 1, burst: 2 },
        'ec2 *': { perSecond: 1, burst: 1 },
      },
    });
    const describe = () => aws.efs.send(new DescribeFileSystemsCommand({ MaxItems: 1 }));

    // Act
    await describe();
    await describe();
    const efsThrottled = await failure(describe());
    const otherApi = await aws.efs.send(new DescribeAccessPointsCommand({}));
    await aws.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    const ec2Throttled = await failure(
      aws.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 })),
    );
    aws.advance(1);
    const refilled = await describe();

    // Assess
    expect(efsThrottled).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    expect(otherApi.$metadata.httpStatusCode).toBe(200);
    expect(ec2Throttled).toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(refilled.$metadata.httpStatusCode).toBe(200);
  });

  it('describes a cluster with the configured status instead of ACTIVE', async () => {
    // Prepare
    const name = `model-${randomBytes(3).toString('hex')}`;
    await moto.eks.send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: [subnetId] },
      }),
    );
    const aws = await startModel({ clusterStatus: { [name]: 'CREATING' } });

    // Act
    const creating = await aws.eks.send(new DescribeClusterCommand({ name }));
    aws.proxy.model?.setClusterStatus(name, undefined);
    const active = await aws.eks.send(new DescribeClusterCommand({ name }));

    // Assess
    expect(creating.cluster?.status).toBe('CREATING');
    expect(active.cluster?.status).toBe('ACTIVE');
  });

  it('keeps a cluster UPDATING and its update InProgress for clusterUpdating, refusing another update with 409 ResourceInUseException meanwhile', async () => {
    // Prepare
    const name = `model-${randomBytes(3).toString('hex')}`;
    await moto.eks.send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        version: '1.32',
        resourcesVpcConfig: { subnetIds: [subnetId] },
      }),
    );
    const aws = await startModel({ durations: { clusterUpdating: 300 } });

    // Act
    const { update } = await aws.eks.send(
      new UpdateClusterConfigCommand({
        name,
        logging: { clusterLogging: [{ types: ['api'], enabled: true }] },
      }),
    );
    const updateId = update?.id ?? '';
    const during = await aws.eks.send(new DescribeClusterCommand({ name }));
    const inProgress = await aws.eks.send(new DescribeUpdateCommand({ name, updateId }));
    const another = await failure(
      aws.eks.send(new UpdateClusterVersionCommand({ name, version: '1.33' })),
    );
    aws.advance(299);
    const almost = await aws.eks.send(new DescribeClusterCommand({ name }));
    aws.advance(1);
    const after = await aws.eks.send(new DescribeClusterCommand({ name }));
    const done = await aws.eks.send(new DescribeUpdateCommand({ name, updateId }));
    const { updateIds } = await aws.eks.send(new ListUpdatesCommand({ name }));

    // Assess: the update as EKS answers it, then its lifecycle
    expect(update).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'InProgress',
      type: 'LoggingUpdate',
      params: [
        {
          type: 'ClusterLogging',
          value: JSON.stringify({ clusterLogging: [{ types: ['api'], enabled: true }] }),
        },
      ],
      createdAt: expect.any(Date),
      errors: [],
    });
    expect(during.cluster?.status).toBe('UPDATING');
    expect(inProgress.update?.status).toBe('InProgress');
    expect(another).toMatchObject({
      name: 'ResourceInUseException',
      clusterName: name,
      $metadata: { httpStatusCode: 409 },
    });
    expect(almost.cluster?.status).toBe('UPDATING');
    expect(after.cluster?.status).toBe('ACTIVE');
    expect(after.cluster?.logging?.clusterLogging).toEqual([{ types: ['api'], enabled: true }]);
    expect(done.update?.status).toBe('Successful');
    expect(updateIds).toEqual([updateId]);
  });

  it('upgrades a cluster one minor version at a time, UPDATING meanwhile', async () => {
    // Prepare
    const name = `model-${randomBytes(3).toString('hex')}`;
    await moto.eks.send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        version: '1.32',
        resourcesVpcConfig: { subnetIds: [subnetId] },
      }),
    );
    const aws = await startModel({ durations: { clusterUpdating: 600 } });

    // Act
    const skipping = await failure(
      aws.eks.send(new UpdateClusterVersionCommand({ name, version: '1.34' })),
    );
    const { update } = await aws.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.33' }),
    );
    const during = await aws.eks.send(new DescribeClusterCommand({ name }));
    aws.advance(600);
    const after = await aws.eks.send(new DescribeClusterCommand({ name }));

    // Assess
    expect(skipping).toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(update).toMatchObject({
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: '1.33' },
        { type: 'PlatformVersion', value: expect.any(String) },
      ],
      errors: [],
    });
    expect(during.cluster?.status).toBe('UPDATING');
    expect(after.cluster).toMatchObject({ status: 'ACTIVE', version: '1.33' });
  });

  it("describes a cluster's VPC and the cluster security group EKS made for it", async () => {
    // Prepare
    const name = `model-${randomBytes(3).toString('hex')}`;
    await moto.eks.send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: [subnetId] },
      }),
    );

    // Act
    const { cluster } = await moto.eks.send(new DescribeClusterCommand({ name }));
    const groupId = cluster?.resourcesVpcConfig?.clusterSecurityGroupId ?? '';
    const { SecurityGroups = [] } = await moto.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
    );

    // Assess
    expect(cluster?.resourcesVpcConfig?.vpcId).toBe(vpcId);
    expect(SecurityGroups[0]).toMatchObject({
      GroupName: expect.stringMatching(new RegExp(`^eks-cluster-sg-${name}-\\d+$`)),
      VpcId: vpcId,
      Tags: expect.arrayContaining([{ Key: 'aws:eks:cluster-name', Value: name }]),
    });
  });

  it('paces every duration by the time scale: half at 0.5, instant at 0', async () => {
    // Prepare
    const half = await startModel({ timeScale: 0.5 });
    const instant = await startModel({ timeScale: 0 });

    // Act
    const slow = await half.efs.send(new CreateFileSystemCommand({ CreationToken: token() }));
    half.advance(2.5);
    const fast = await instant.efs.send(new CreateFileSystemCommand({ CreationToken: token() }));

    // Assess
    expect(await fileSystemState(half.efs, slow.FileSystemId ?? '')).toBe('available');
    expect(fast.LifeCycleState).toBe('available');
  });
});

describe('AWS_DURATIONS', () => {
  it('draws mount target times mostly within 60–90 s, with a tail of minutes, the same for one seed', () => {
    // Act
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 2000 }, () =>
        drawSeconds(AWS_DURATIONS.mountTargetCreating, random),
      );
    };
    const drawn = draw(3);

    // Assess
    const typical = drawn.filter((seconds) => seconds >= 60 && seconds <= 90).length / drawn.length;
    expect(typical).toBeGreaterThan(0.85);
    expect(typical).toBeLessThan(0.95);
    expect(Math.max(...drawn)).toBeGreaterThan(240);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(1800);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(60);
    expect(draw(3)).toEqual(drawn);
  });

  it('makes a few mount targets in a thousand take 10 to 30 minutes', () => {
    // Act
    const random = seededRandom(5);
    const drawn = Array.from({ length: 50_000 }, () =>
      drawSeconds(AWS_DURATIONS.mountTargetCreating, random),
    );

    // Assess: about 0.3 % past ten minutes, some near thirty, none beyond
    const slow = drawn.filter((seconds) => seconds > 600);
    expect(slow.length / drawn.length).toBeGreaterThan(0.002);
    expect(slow.length / drawn.length).toBeLessThan(0.004);
    expect(Math.max(...slow)).toBeGreaterThan(1700);
    expect(Math.max(...slow)).toBeLessThanOrEqual(1800);
  });
});

describe('moto, completed where it falls short of AWS (local/moto_efs.py)', () => {
  it('takes an address of the subnet for each mount target, and refuses one in a subnet with none left with 409 NoFreeAddressesInSubnet', async () => {
    // Prepare: a /28 (16 addresses, 5 reserved by AWS: 11 free) and two file systems
    const efs = new EFSClient({});
    const { Subnet } = await moto.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.60.16.0/28',
        AvailabilityZone: 'us-east-1b',
      }),
    );
    const small = Subnet?.SubnetId ?? '';
    const free = async () =>
      (await moto.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [small] }))).Subnets?.[0]
        ?.AvailableIpAddressCount;
    const [first, second] = await Promise.all(
      ['first', 'second'].map(async (name) => {
        const created = await efs.send(
          new CreateFileSystemCommand({ CreationToken: `${name}-${token()}` }),
        );
        return created.FileSystemId ?? '';
      }),
    );
    const before = await free();

    // Act: one mount target, then every other address taken by network interfaces
    await efs.send(new CreateMountTargetCommand({ FileSystemId: first, SubnetId: small }));
    const afterOne = await free();
    for (let left = afterOne ?? 0; left > 0; left--) {
      await moto.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: small }));
    }
    const refused = await failure(
      efs.send(new CreateMountTargetCommand({ FileSystemId: second, SubnetId: small })),
    );

    // Assess
    expect(before).toBe(11);
    expect(afterOne).toBe(10);
    expect(await free()).toBe(0);
    expect(refused).toMatchObject({
      name: 'NoFreeAddressesInSubnet',
      $metadata: { httpStatusCode: 409 },
    });
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: second }),
    );
    expect(MountTargets).toEqual([]);
  });
});
