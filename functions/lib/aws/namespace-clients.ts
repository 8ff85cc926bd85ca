import { createHash } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { TransientError } from '../errors.ts';
import type { ClusterNetwork } from './cluster.ts';
import { ignoringDone, NFS_PORT } from './security-group.ts';
import { STACK_TAG, type Tag } from './tags.ts';
import { hasOutcome } from './transient.ts';

/**
 * The tag naming the cluster and namespace (`<cluster>/<namespace>`) whose pods carry a client
 * security group. With namespace network isolation on, a volume's mount targets admit NFS
 * from its namespace's client group only. IAM lets the workflow create, and change the egress
 * of, a group of this stack's that carries it.
 */
export const NAMESPACE_CLIENTS_TAG = 'efs-volumes:namespace-clients';

/** Where a namespace's client group is: its cluster (and that cluster's VPC) and namespace. */
export interface NamespaceClients {
  readonly cluster: Pick<ClusterNetwork, 'name' | 'vpcId'>;
  readonly namespace: string;
  /** The stack whose group it is (its `efs-volumes:stack` tag). */
  readonly stack: string;
}

/** `<cluster>/<namespace>`: the value of {@link NAMESPACE_CLIENTS_TAG}. */
export function namespaceClientsTagValue(clients: NamespaceClients): string {
  return `${clients.cluster.name}/${clients.namespace}`;
}

/**
 * The client group's name: unique per VPC, so it carries a digest of the stack, cluster and
 * namespace (two stacks, or two clusters in one VPC, never meet on one name); the namespace
 * is there for people reading the console. At most 20 + 63 + 1 + 16 characters (EC2 allows 255).
 */
export function namespaceClientsGroupName(clients: NamespaceClients): string {
  const digest = createHash('sha256')
    .update(`${clients.stack}\n${clients.cluster.name}\n${clients.namespace}`)
    .digest('hex')
    .slice(0, 16);
  return `efs-volumes-clients-${clients.namespace}-${digest}`;
}

/** The tags of a namespace's client group: no volume id, it outlives any one volume. */
export function namespaceClientsTags(clients: NamespaceClients): Tag[] {
  return [
    { Key: 'Name', Value: `${namespaceClientsTagValue(clients)} NFS clients` },
    { Key: NAMESPACE_CLIENTS_TAG, Value: namespaceClientsTagValue(clients) },
    { Key: 'efs-volumes:cluster', Value: clients.cluster.name },
    { Key: STACK_TAG, Value: clients.stack },
  ];
}

/** Finds the namespace's client group of this stack in the cluster's VPC; undefined if none. */
export async function findNamespaceClientGroup(
  ec2: EC2Client,
  clients: NamespaceClients,
): Promise<string | undefined> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: `tag:${NAMESPACE_CLIENTS_TAG}`, Values: [namespaceClientsTagValue(clients)] },
        { Name: `tag:${STACK_TAG}`, Values: [clients.stack] },
        { Name: 'vpc-id', Values: [clients.cluster.vpcId] },
      ],
    }),
  );
  return SecurityGroups[0]?.GroupId;
}

/**
 * Creates (or finds, when a retry or another volume of the namespace made it) the security
 * group a namespace's pods carry so its volumes' mount targets can tell them apart: no
 * ingress, and egress to NFS only (the pods' other traffic goes by the cluster security group
 * they keep). Shared by every volume of the namespace, so no volume id: it is never deleted
 * by the workflow (docs/configuration.md: Namespace network isolation).
 */
export async function ensureNamespaceClientGroup(
  ec2: EC2Client,
  clients: NamespaceClients,
): Promise<string> {
  let groupId = await findNamespaceClientGroup(ec2, clients);
  if (!groupId) {
    try {
      const created = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: namespaceClientsGroupName(clients),
          Description: `NFS clients: pods of namespace ${clients.namespace} of EKS cluster ${clients.cluster.name}`,
          VpcId: clients.cluster.vpcId,
          TagSpecifications: [
            { ResourceType: 'security-group', Tags: namespaceClientsTags(clients) },
          ],
        }),
      );
      groupId = created.GroupId;
    } catch (error) {
      // Duplicate: a concurrent volume of the namespace (or a lost answer) created it, tagged.
      if (!hasOutcome('ec2:CreateSecurityGroup', error, 'adopt')) throw error;
    }
    groupId ??= await findNamespaceClientGroup(ec2, clients);
    if (!groupId) throw new TransientError('CreateSecurityGroup returned no GroupId');
  }
  // Egress to NFS first, then the default allow-all goes: never a moment with less than NFS.
  await ignoringDone(
    'ec2:AuthorizeSecurityGroupEgress',
    ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: [nfsEgress()],
      }),
    ),
  );
  await ignoringDone(
    'ec2:RevokeSecurityGroupEgress',
    ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ),
  );
  return groupId;
}

/** NFS out to anywhere: the mount targets' own groups decide who may be reached. */
export function nfsEgress() {
  return {
    IpProtocol: 'tcp',
    FromPort: NFS_PORT,
    ToPort: NFS_PORT,
    IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'NFS to EFS mount targets' }],
  };
}
