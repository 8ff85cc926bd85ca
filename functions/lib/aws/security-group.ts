import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CleanupError, TransientError } from '../errors.ts';
import { securityGroupName, VOLUME_ID_TAG } from '../volume/names.ts';
import { POOL_TAG } from '../volume/pool.ts';
import type { AwsOperation } from './aws-outcomes.ts';
import type { ClusterNetwork } from './cluster.ts';
import type { Tag } from './tags.ts';
import { errorName, hasOutcome, isTransientError, notYetVisible, outcomeOf } from './transient.ts';

/** NFS, the only port a mount target listens on that pods use. */
export const NFS_PORT = 2049;

/** Finds the volume's security group by its tag; undefined when there is none. */
export async function findSecurityGroup(
  ec2: EC2Client,
  volumeId: string,
): Promise<string | undefined> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${VOLUME_ID_TAG}`, Values: [volumeId] }],
    }),
  );
  return SecurityGroups[0]?.GroupId;
}

/**
 * The NFS rule: from the cluster security group (what Fargate pods carry), else from the
 * control plane's security groups, else from the CIDRs of the cluster's subnets. With
 * namespace network isolation, from the namespace's client security group alone
 * (namespace-clients.ts), which only that namespace's pods carry.
 *
 * @param clientSecurityGroupId the namespace's client group. @default none: the whole cluster
 */
export function nfsIngress(cluster: ClusterNetwork, clientSecurityGroupId?: string): IpPermission {
  const base = { IpProtocol: 'tcp', FromPort: NFS_PORT, ToPort: NFS_PORT };
  if (clientSecurityGroupId) {
    return {
      ...base,
      UserIdGroupPairs: [
        { GroupId: clientSecurityGroupId, Description: "NFS from the namespace's pods" },
      ],
    };
  }
  const groups = cluster.clusterSecurityGroupId
    ? [cluster.clusterSecurityGroupId]
    : [...cluster.securityGroupIds];
  if (groups.length > 0) {
    return {
      ...base,
      UserIdGroupPairs: groups.map((GroupId) => ({ GroupId, Description: 'NFS from EKS pods' })),
    };
  }
  const cidrs = [...new Set(cluster.subnets.map((subnet) => subnet.cidrBlock).filter(Boolean))];
  return {
    ...base,
    IpRanges: cidrs.map((CidrIp) => ({ CidrIp, Description: 'NFS from cluster subnets' })),
  };
}

/**
 * Creates (or finds, when a retry meets one) the security group of the volume's mount
 * targets: NFS in from the cluster only, nothing out. Given the namespace's client group
 * (namespace network isolation), NFS in from that group only: the whole cluster's rule, which
 * a volume made before isolation was turned on has, is revoked (a repair runs this step).
 *
 * @param clientSecurityGroupId the namespace's client group. @default none: the whole cluster
 */
export async function ensureSecurityGroup(
  ec2: EC2Client,
  volumeId: string,
  cluster: ClusterNetwork,
  tags: readonly Tag[],
  clientSecurityGroupId?: string,
): Promise<string> {
  let groupId = await findSecurityGroup(ec2, volumeId);
  if (!groupId) {
    // Duplicate: an earlier attempt (an SDK retry after a lost answer) created it, tagged.
    const created = await ignoringDone(
      'ec2:CreateSecurityGroup',
      ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: securityGroupName(volumeId),
          Description: `EFS mount targets of volume ${volumeId} (NFS from EKS cluster ${cluster.name})`,
          VpcId: cluster.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [...tags] }],
        }),
      ),
    );
    groupId = created?.GroupId ?? (await findSecurityGroup(ec2, volumeId));
    if (!groupId) throw new TransientError('CreateSecurityGroup returned no GroupId');
  }
  await ignoringDone(
    'ec2:AuthorizeSecurityGroupIngress',
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [nfsIngress(cluster, clientSecurityGroupId)],
      }),
    ),
  );
  if (clientSecurityGroupId) {
    // Only after the namespace's rule exists: its pods never lose NFS on the way. The rule
    // exactly as it was authorized: EC2 does not need the description to match, moto does.
    await ignoringDone(
      'ec2:RevokeSecurityGroupIngress',
      ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [nfsIngress(cluster)],
        }),
      ),
    );
  }
  // Mount targets never open connections: drop the default allow-all egress rule.
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

/**
 * A warm pool member's security group, taken over by the volume made under its id: the
 * volume's tags put on it, then the pool's tag taken off (a retry finds none and does nothing).
 */
export async function takeOverPooledSecurityGroup(
  ec2: EC2Client,
  volumeId: string,
  tags: readonly Tag[],
): Promise<void> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: `tag:${VOLUME_ID_TAG}`, Values: [volumeId] },
        { Name: 'tag-key', Values: [POOL_TAG] },
      ],
    }),
  );
  const groupId = SecurityGroups[0]?.GroupId;
  if (!groupId) return;
  await ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [...tags] }));
  await ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: [{ Key: POOL_TAG }] }));
}

/**
 * Deletes the volume's security group; gone is done. While mount target network interfaces
 * still hold it, EC2 answers DependencyViolation, which the state machine retries.
 */
export async function deleteSecurityGroup(
  ec2: EC2Client,
  volumeId: string,
): Promise<string | undefined> {
  const groupId = await findSecurityGroup(ec2, volumeId);
  if (!groupId) return undefined;
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (error) {
    const operation = 'ec2:DeleteSecurityGroup';
    if (hasOutcome(operation, error, 'gone')) return groupId;
    if (hasOutcome(operation, error, 'wait')) {
      throw new TransientError(`security group ${groupId} is still in use`, { cause: error });
    }
    if (isTransientError(error)) throw error;
    throw new CleanupError(`cannot delete security group ${groupId}: ${errorName(error)}`, {
      cause: error,
    });
  }
  return groupId;
}

/**
 * The request's answer, or undefined when it fails with an error the outcome table reads as done
 * already for its operation: `adopt` (a duplicate) or `gone` (nothing to revoke). Every call
 * this wraps names a group the step may have created a moment before: `unseen` (EC2 does not
 * know it yet) leaves as a TransientError, which the state machine retries.
 */
export async function ignoringDone<T>(
  operation: AwsOperation,
  request: Promise<T>,
): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    const outcome = outcomeOf(operation, error);
    if (outcome === 'adopt' || outcome === 'gone') return undefined;
    if (outcome === 'unseen') throw notYetVisible(operation, error);
    throw error;
  }
}
