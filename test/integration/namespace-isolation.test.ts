// Namespace network isolation (NAMESPACE_NETWORK_ISOLATION), through the local stack: the API,
// the real ASL, the bundles, moto for EC2 and the Kubernetes emulator enforcing infra/rbac.yaml.
import {
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_CLIENTS_TAG } from '../../functions/lib/aws/namespace-clients.ts';
import { STACK_TAG } from '../../functions/lib/aws/tags.ts';
import { SECURITY_GROUP_POLICY_NAME } from '../../functions/lib/kube/manifests.ts';
import type { LocalStack } from '../../local/stack.ts';
import { createReadyVolume, fetchVolume } from '../support/api-volumes.ts';
import { expectContract } from '../support/contract.ts';
import { eventually, startTestStack } from '../support/local-stack-harness.ts';
import { awsLeftovers } from '../support/workflow-harness.ts';

type Volume = {
  id: string;
  status: string;
  resources: { securityGroupId: string; clientSecurityGroupId?: string };
  repair?: { status: string };
};

const ec2 = new EC2Client({});
const NAMESPACES = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
let stack: LocalStack;
let clusterSecurityGroupId: string;

beforeAll(async () => {
  stack = await startTestStack({ namespaces: NAMESPACES });
  // The group EKS made for the cluster (moto makes it as EKS does: local/moto_eks.py).
  const { cluster } = await new EKSClient({}).send(
    new DescribeClusterCommand({ name: stack.clusterName }),
  );
  clusterSecurityGroupId = cluster?.resourcesVpcConfig?.clusterSecurityGroupId ?? '';
  expect((await securityGroup(clusterSecurityGroupId))?.GroupName).toMatch(
    new RegExp(`^eks-cluster-sg-${stack.clusterName}-\\d+$`),
  );
});

afterEach(() => {
  delete process.env.NAMESPACE_NETWORK_ISOLATION;
});

afterAll(async () => {
  await stack?.stop();
});

function isolation(on: boolean): void {
  process.env.NAMESPACE_NETWORK_ISOLATION = String(on);
}

async function securityGroup(groupId: string): Promise<SecurityGroup | undefined> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return SecurityGroups[0];
}

/** The groups a group admits NFS from, by id. */
async function nfsSourcesOf(groupId: string): Promise<string[]> {
  const permissions: IpPermission[] = (await securityGroup(groupId))?.IpPermissions ?? [];
  expect(permissions.every((rule) => rule.FromPort === 2049 && rule.ToPort === 2049)).toBe(true);
  expect(permissions.flatMap((rule) => rule.IpRanges ?? [])).toEqual([]);
  return permissions.flatMap((rule) =>
    (rule.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? ''),
  );
}

/** The namespace's client groups of this stack, as tagged. */
async function clientGroupsOf(namespace: string): Promise<SecurityGroup[]> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: `tag:${NAMESPACE_CLIENTS_TAG}`, Values: [`${stack.clusterName}/${namespace}`] },
        { Name: `tag:${STACK_TAG}`, Values: ['EfsVolumes'] },
      ],
    }),
  );
  return SecurityGroups;
}

/** The SecurityGroupPolicies the emulator holds in a namespace. */
function securityGroupPoliciesIn(namespace: string) {
  return stack.emulator
    .objects()
    .filter(
      (object) => object.kind === 'SecurityGroupPolicy' && object.metadata.namespace === namespace,
    ) as unknown as Array<{
    metadata: { name: string };
    spec: { podSelector: unknown; securityGroups: { groupIds: string[] } };
  }>;
}

async function deleteVolume(id: string): Promise<void> {
  const accepted = await expectContract(
    'deleteVolume',
    await fetch(`${stack.api}/volumes/${id}?force=true`, { method: 'DELETE' }),
  );
  expect(accepted.status).toBe(202);
  await eventually(async () => {
    const volume = await fetchVolume<Volume>(stack, id);
    if (volume.status === 'DELETE_FAILED') throw new Error(`volume ${id} ended DELETE_FAILED`);
    return volume.status === 'DELETED' ? volume : undefined;
  }, 240_000);
}

describe('namespace network isolation (NAMESPACE_NETWORK_ISOLATION) in local mode', () => {
  it("on: each volume's mount targets admit NFS from its own namespace's client group only, which a SecurityGroupPolicy puts on that namespace's pods beside the cluster group", async () => {
    // Prepare
    isolation(true);

    // Act: two volumes of team-a, one of team-b
    const first = await createReadyVolume<Volume>(stack, 'iso-first', 'Delete', 'team-a');
    const second = await createReadyVolume<Volume>(stack, 'iso-second', 'Delete', 'team-a');
    const other = await createReadyVolume<Volume>(stack, 'iso-other', 'Delete', 'team-b');

    // Assess: one client group per namespace, the one each volume's ingress names alone
    const [teamA, ...moreA] = await clientGroupsOf('team-a');
    const [teamB, ...moreB] = await clientGroupsOf('team-b');
    expect({ moreA, moreB }).toEqual({ moreA: [], moreB: [] });
    expect(teamA?.GroupId).toMatch(/^sg-/);
    expect(teamB?.GroupId).toMatch(/^sg-/);
    expect(teamA?.GroupId).not.toBe(teamB?.GroupId);
    expect(await nfsSourcesOf(first.resources.securityGroupId)).toEqual([teamA?.GroupId]);
    expect(await nfsSourcesOf(second.resources.securityGroupId)).toEqual([teamA?.GroupId]);
    expect(await nfsSourcesOf(other.resources.securityGroupId)).toEqual([teamB?.GroupId]);
    expect(first.resources.clientSecurityGroupId).toBe(teamA?.GroupId);
    expect(other.resources.clientSecurityGroupId).toBe(teamB?.GroupId);

    // Assess: the client group is in the cluster's VPC, admits nothing, and lets out NFS only
    expect(teamA?.IpPermissions ?? []).toEqual([]);
    expect(teamA?.IpPermissionsEgress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2049,
        ToPort: 2049,
        IpRanges: [expect.objectContaining({ CidrIp: '0.0.0.0/0' })],
      }),
    ]);
    expect(teamA?.VpcId).toBe((await securityGroup(clusterSecurityGroupId))?.VpcId);

    // Assess: each namespace's pods get their client group and keep the cluster group
    for (const [namespace, group] of [
      ['team-a', teamA],
      ['team-b', teamB],
    ] as const) {
      expect(securityGroupPoliciesIn(namespace)).toEqual([
        expect.objectContaining({
          metadata: expect.objectContaining({ name: SECURITY_GROUP_POLICY_NAME }),
          spec: {
            podSelector: {},
            securityGroups: { groupIds: [group?.GroupId, clusterSecurityGroupId] },
          },
        }),
      ]);
    }
  });

  it('off: the mount targets admit the cluster security group, and no client group or SecurityGroupPolicy is made', async () => {
    // Prepare
    isolation(false);

    // Act
    const volume = await createReadyVolume<Volume>(stack, 'open-data', 'Delete', 'team-c');

    // Assess
    expect(await nfsSourcesOf(volume.resources.securityGroupId)).toEqual([clusterSecurityGroupId]);
    expect(volume.resources.clientSecurityGroupId).toBeUndefined();
    expect(await clientGroupsOf('team-c')).toEqual([]);
    expect(securityGroupPoliciesIn('team-c')).toEqual([]);
  });

  it("turned on for an existing volume, a repair moves its NFS ingress from the cluster group to its namespace's group and applies the policy", async () => {
    // Prepare: a volume made with isolation off
    isolation(false);
    const volume = await createReadyVolume<Volume>(stack, 'later-isolated', 'Retain', 'team-d');
    expect(await nfsSourcesOf(volume.resources.securityGroupId)).toEqual([clusterSecurityGroupId]);

    // Act: isolation on, then the repair the README tells operators to run
    isolation(true);
    const accepted = await expectContract(
      'repairVolume',
      await fetch(`${stack.api}/volumes/${volume.id}/repair`, { method: 'POST' }),
    );
    expect(accepted.status).toBe(202);
    const repaired = await eventually(async () => {
      const current = await fetchVolume<Volume>(stack, volume.id);
      return current.status === 'READY' && current.repair?.status === 'SUCCEEDED'
        ? current
        : undefined;
    }, 240_000);

    // Assess
    const [teamD] = await clientGroupsOf('team-d');
    expect(teamD?.GroupId).toMatch(/^sg-/);
    expect(await nfsSourcesOf(repaired.resources.securityGroupId)).toEqual([teamD?.GroupId]);
    expect(securityGroupPoliciesIn('team-d')).toHaveLength(1);
  });

  it("deleting the namespace's volumes never deletes its client group or policy, while the others keep theirs", async () => {
    // Prepare: two volumes of team-e with isolation on
    isolation(true);
    const leaving = await createReadyVolume<Volume>(stack, 'leaving', 'Delete', 'team-e');
    const staying = await createReadyVolume<Volume>(stack, 'staying', 'Delete', 'team-e');
    const [teamE] = await clientGroupsOf('team-e');

    // Act: the first goes
    await deleteVolume(leaving.id);

    // Assess: its own resources are gone; the namespace's group and policy serve the other
    expect(await awsLeftovers(leaving.id)).toEqual([]);
    expect((await clientGroupsOf('team-e')).map((group) => group.GroupId)).toEqual([
      teamE?.GroupId,
    ]);
    expect(await nfsSourcesOf(staying.resources.securityGroupId)).toEqual([teamE?.GroupId]);
    expect(securityGroupPoliciesIn('team-e')).toHaveLength(1);

    // Act: the last goes
    await deleteVolume(staying.id);

    // Assess: the group and policy are kept (README: an operator removes them)
    expect(await awsLeftovers(staying.id)).toEqual([]);
    expect((await clientGroupsOf('team-e')).map((group) => group.GroupId)).toEqual([
      teamE?.GroupId,
    ]);
    expect(securityGroupPoliciesIn('team-e')).toHaveLength(1);
  });
});
