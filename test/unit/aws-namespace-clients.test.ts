import {
  AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ensureNamespaceClientGroup,
  type NamespaceClients,
  namespaceClientsGroupName,
} from '../../functions/lib/aws/namespace-clients.ts';
import { TransientError } from '../../functions/lib/errors.ts';
import { clusterTarget } from './fixtures.ts';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const clients: NamespaceClients = {
  cluster: clusterTarget(),
  namespace: 'team-a',
  stack: 'EfsVolumes',
};

function ec2Error(name: string): Error {
  return Object.assign(new Error(`${name} from EC2`), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(AuthorizeSecurityGroupEgressCommand).resolves({});
  ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({});
});

describe('namespaceClientsGroupName', () => {
  it('differs per stack and cluster for the same namespace, so two never meet in one VPC', () => {
    // Act
    const names = new Set([
      namespaceClientsGroupName(clients),
      namespaceClientsGroupName({ ...clients, stack: 'EfsVolumesStaging' }),
      namespaceClientsGroupName({ ...clients, cluster: clusterTarget({ name: 'other' }) }),
    ]);

    // Assess
    expect(names.size).toBe(3);
    for (const name of names) expect(name).toMatch(/^efs-volumes-clients-team-a-[0-9a-f]{16}$/);
  });
});

describe('ensureNamespaceClientGroup', () => {
  it("creates the namespace's group in the cluster's VPC, tagged with the stack, cluster and namespace", async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-clients' });

    // Act
    const groupId = await ensureNamespaceClientGroup(ec2, clients);

    // Assess
    expect(groupId).toBe('sg-clients');
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'tag:efs-volumes:namespace-clients', Values: ['demo/team-a'] },
        { Name: 'tag:efs-volumes:stack', Values: ['EfsVolumes'] },
        { Name: 'vpc-id', Values: ['vpc-1'] },
      ],
    });
    const create = ec2Mock.commandCalls(CreateSecurityGroupCommand)[0]?.args[0].input;
    expect(create?.VpcId).toBe('vpc-1');
    expect(create?.TagSpecifications?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'efs-volumes:namespace-clients', Value: 'demo/team-a' },
        { Key: 'efs-volumes:stack', Value: 'EfsVolumes' },
        { Key: 'efs-volumes:cluster', Value: 'demo' },
      ]),
    );
  });

  it('lets out NFS only: NFS egress first, then the default allow-all goes', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-c' }] });

    // Act
    await ensureNamespaceClientGroup(ec2, clients);

    // Assess
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupEgressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-c',
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 2049,
          ToPort: 2049,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'NFS to EFS mount targets' }],
        },
      ],
    });
    expect(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-c',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    const calls = ec2Mock.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('RevokeSecurityGroupEgressCommand')).toBeGreaterThan(
      calls.indexOf('AuthorizeSecurityGroupEgressCommand'),
    );
  });

  it("reuses the namespace's group another volume made, creating none", async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-c' }] });
    ec2Mock
      .on(AuthorizeSecurityGroupEgressCommand)
      .rejects(ec2Error('InvalidPermission.Duplicate'));
    ec2Mock.on(RevokeSecurityGroupEgressCommand).rejects(ec2Error('InvalidPermission.NotFound'));

    // Act
    const groupId = await ensureNamespaceClientGroup(ec2, clients);

    // Assess
    expect(groupId).toBe('sg-c');
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  });

  it('finds the group a concurrent volume of the namespace created first', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-theirs' }] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(ec2Error('InvalidGroup.Duplicate'));

    // Act
    const groupId = await ensureNamespaceClientGroup(ec2, clients);

    // Assess
    expect(groupId).toBe('sg-theirs');
  });

  it('asks for a retry when the group is neither created nor found', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({});

    // Act
    const outcome = ensureNamespaceClientGroup(ec2, clients);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
  });

  it('passes on other errors of the create', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(ec2Error('UnauthorizedOperation'));

    // Act
    const outcome = ensureNamespaceClientGroup(ec2, clients);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });
});
