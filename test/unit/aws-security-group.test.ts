import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteSecurityGroup,
  ensureSecurityGroup,
  findSecurityGroup,
  nfsIngress,
} from '../../functions/lib/aws/security-group.ts';
import { CleanupError, TransientError } from '../../functions/lib/errors.ts';
import { classifyStepError } from '../../functions/lib/workflow/run-step.ts';
import { clusterTarget, subnet, VOLUME_ID } from './fixtures.ts';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const tags = [{ Key: 'efs-volumes:volume-id', Value: VOLUME_ID }];

/** EC2 has no exception classes: its errors are plain service errors with a name. */
function ec2Error(name: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(`${name} from EC2`), { name, $metadata: { httpStatusCode } });
}

beforeEach(() => {
  ec2Mock.reset();
});

describe('nfsIngress', () => {
  it('allows NFS from the cluster security group when the cluster has one', () => {
    // Prepare
    const cluster = clusterTarget({
      clusterSecurityGroupId: 'sg-cluster',
      securityGroupIds: ['sg-plane'],
    });

    // Act
    const rule = nfsIngress(cluster);

    // Assess
    expect(rule).toEqual({
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      UserIdGroupPairs: [{ GroupId: 'sg-cluster', Description: 'NFS from EKS pods' }],
    });
  });

  it("allows NFS from the namespace's client group alone when given one, not the cluster's", () => {
    // Prepare
    const cluster = clusterTarget({
      clusterSecurityGroupId: 'sg-cluster',
      securityGroupIds: ['sg-plane'],
    });

    // Act
    const rule = nfsIngress(cluster, 'sg-clients');

    // Assess
    expect(rule).toEqual({
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      UserIdGroupPairs: [{ GroupId: 'sg-clients', Description: "NFS from the namespace's pods" }],
    });
  });

  it('falls back to the control-plane security groups', () => {
    // Prepare
    const cluster = clusterTarget({ securityGroupIds: ['sg-plane-1', 'sg-plane-2'] });

    // Act
    const rule = nfsIngress(cluster);

    // Assess
    expect(rule.UserIdGroupPairs?.map((pair) => pair.GroupId)).toEqual([
      'sg-plane-1',
      'sg-plane-2',
    ]);
    expect(rule.IpRanges).toBeUndefined();
    expect(rule.FromPort).toBe(2049);
  });

  it("falls back to the CIDRs of the cluster's subnets, each once", () => {
    // Prepare
    const cluster = clusterTarget({
      securityGroupIds: [],
      subnets: [
        subnet('subnet-a', 'us-east-1a', '10.0.1.0/24'),
        subnet('subnet-b', 'us-east-1b', '10.0.2.0/24'),
        subnet('subnet-c', 'us-east-1b', '10.0.2.0/24'),
        subnet('subnet-d', 'us-east-1c', ''),
      ],
    });

    // Act
    const rule = nfsIngress(cluster);

    // Assess
    expect(rule).toEqual({
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      IpRanges: [
        { CidrIp: '10.0.1.0/24', Description: 'NFS from cluster subnets' },
        { CidrIp: '10.0.2.0/24', Description: 'NFS from cluster subnets' },
      ],
    });
    expect(rule.UserIdGroupPairs).toBeUndefined();
  });
});

describe('findSecurityGroup', () => {
  it('looks the group up by its volume-id tag', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-found' }] });

    // Act
    const groupId = await findSecurityGroup(ec2, VOLUME_ID);

    // Assess
    expect(groupId).toBe('sg-found');
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'tag:efs-volumes:volume-id', Values: [VOLUME_ID] }],
    });
  });
});

describe('ensureSecurityGroup', () => {
  it('creates a tagged group in the cluster VPC, opens NFS and closes egress', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({});
    const cluster = clusterTarget({ clusterSecurityGroupId: 'sg-cluster' });

    // Act
    const groupId = await ensureSecurityGroup(ec2, VOLUME_ID, cluster, tags);

    // Assess
    expect(groupId).toBe('sg-new');
    const create = ec2Mock.commandCalls(CreateSecurityGroupCommand)[0]?.args[0].input;
    expect(create?.GroupName).toBe(`efs-volumes-${VOLUME_ID}`);
    expect(create?.VpcId).toBe('vpc-1');
    expect(create?.TagSpecifications).toEqual([{ ResourceType: 'security-group', Tags: tags }]);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-new',
      IpPermissions: [nfsIngress(cluster)],
    });
    expect(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-new',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it("with a client group, admits it and then revokes the whole cluster's rule", async () => {
    // Prepare: the group of a volume made before isolation was turned on
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-earlier' }] });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({});
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({});
    const cluster = clusterTarget({ clusterSecurityGroupId: 'sg-cluster' });

    // Act
    await ensureSecurityGroup(ec2, VOLUME_ID, cluster, tags, 'sg-clients');

    // Assess
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-earlier',
      IpPermissions: [nfsIngress(cluster, 'sg-clients')],
    });
    expect(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-earlier',
      IpPermissions: [nfsIngress(cluster)],
    });
    const calls = ec2Mock.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('RevokeSecurityGroupIngressCommand')).toBeGreaterThan(
      calls.indexOf('AuthorizeSecurityGroupIngressCommand'),
    );
  });

  it('with a client group, is done when the whole cluster was never admitted', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error('InvalidPermission.NotFound'));
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({});

    // Act
    const groupId = await ensureSecurityGroup(
      ec2,
      VOLUME_ID,
      clusterTarget({ clusterSecurityGroupId: 'sg-cluster' }),
      tags,
      'sg-clients',
    );

    // Assess
    expect(groupId).toBe('sg-new');
  });

  it('without a client group, revokes nothing it admits', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({});
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({});

    // Act
    await ensureSecurityGroup(ec2, VOLUME_ID, clusterTarget(), tags);

    // Assess
    expect(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('reuses the group a previous attempt created instead of creating a second one', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-earlier' }] });
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(ec2Error('InvalidPermission.Duplicate'));
    ec2Mock.on(RevokeSecurityGroupEgressCommand).rejects(ec2Error('InvalidPermission.NotFound'));

    // Act
    const groupId = await ensureSecurityGroup(ec2, VOLUME_ID, clusterTarget(), tags);

    // Assess
    expect(groupId).toBe('sg-earlier');
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(1);
  });

  it('passes on other errors from opening NFS', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-earlier' }] });
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(ec2Error('InvalidPermission.Malformed'));

    // Act
    const outcome = ensureSecurityGroup(ec2, VOLUME_ID, clusterTarget(), tags);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'InvalidPermission.Malformed' });
  });

  const refuseUnseen = {
    AuthorizeSecurityGroupIngress: (error: Error) =>
      ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(error),
    RevokeSecurityGroupEgress: (error: Error) =>
      ec2Mock.on(RevokeSecurityGroupEgressCommand).rejects(error),
  };

  it.each(Object.keys(refuseUnseen) as Array<keyof typeof refuseUnseen>)(
    'retries the new group %s does not know yet (eventual consistency)',
    async (operation) => {
      // Prepare: EC2 has made the group but this call does not see it yet
      ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
      ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
      const notFound = ec2Error('InvalidGroup.NotFound');
      refuseUnseen[operation](notFound);

      // Act
      const outcome = ensureSecurityGroup(ec2, VOLUME_ID, clusterTarget(), tags);

      // Assess: the state machine retries TransientError, the cause kept
      await expect(outcome).rejects.toBeInstanceOf(TransientError);
      await expect(outcome).rejects.toMatchObject({ cause: notFound });
      expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(1);
    },
  );
});

describe('deleteSecurityGroup', () => {
  it('deletes the group found by tag and returns its id', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});

    // Act
    const deleted = await deleteSecurityGroup(ec2, VOLUME_ID);

    // Assess
    expect(deleted).toBe('sg-1');
    expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-1',
    });
  });

  it('does nothing when no group carries the tag', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });

    // Act
    const deleted = await deleteSecurityGroup(ec2, VOLUME_ID);

    // Assess
    expect(deleted).toBeUndefined();
    expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
  });

  it('treats InvalidGroup.NotFound as done', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error('InvalidGroup.NotFound'));

    // Act
    const deleted = await deleteSecurityGroup(ec2, VOLUME_ID);

    // Assess
    expect(deleted).toBe('sg-1');
  });

  it('turns DependencyViolation into a TransientError that keeps the cause', async () => {
    // Prepare
    const violation = ec2Error('DependencyViolation');
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(violation);

    // Act
    const error = await deleteSecurityGroup(ec2, VOLUME_ID).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).cause).toBe(violation);
  });

  it('turns a lasting refusal into a CleanupError', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error('UnauthorizedOperation', 403));

    // Act
    const outcome = deleteSecurityGroup(ec2, VOLUME_ID);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(CleanupError);
  });

  it('leaves a throttled delete to be retried, not failed as a cleanup error', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(ec2Error('RequestLimitExceeded', 503));

    // Act: the step classifies what the delete threw, as runStep does
    const error = await deleteSecurityGroup(ec2, VOLUME_ID).catch((caught: unknown) => caught);

    // Assess
    expect(classifyStepError(error)).toBeInstanceOf(TransientError);
  });
});
