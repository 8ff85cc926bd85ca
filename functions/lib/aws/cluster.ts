import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type ClusterStatus, DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import {
  ClusterConfigurationError,
  ClusterNotActiveError,
  ClusterNotFoundError,
  TransientError,
} from '../errors.ts';
import { errorName } from './transient.ts';

export interface ClusterSubnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
}

/**
 * Where a cluster's pods run, as the workflow passes it between steps: plain data, and no
 * endpoint or CA. Those are described afresh by each step that talks to the cluster.
 */
export interface ClusterNetwork {
  readonly name: string;
  readonly vpcId: string;
  readonly subnets: readonly ClusterSubnet[];
  /** The security group EKS puts on Fargate pods; absent on some clusters (and in moto). */
  readonly clusterSecurityGroupId?: string;
  /** The additional security groups of the control plane ENIs. */
  readonly securityGroupIds: readonly string[];
}

/** One subnet per Availability Zone of the cluster, the lowest subnet id, for a stable choice. */
export function subnetPerZone(cluster: Pick<ClusterNetwork, 'subnets'>): ClusterSubnet[] {
  const byZone = new Map<string, ClusterSubnet>();
  for (const subnet of [...cluster.subnets].sort((a, b) => a.subnetId.localeCompare(b.subnetId))) {
    if (!byZone.has(subnet.availabilityZone)) byZone.set(subnet.availabilityZone, subnet);
  }
  return [...byZone.values()].sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone));
}

/** A usable cluster as EKS describes it: enough to reach its API, no EC2 call needed. */
export interface ClusterDescription {
  readonly name: string;
  readonly endpoint: string;
  readonly caData: string;
  readonly subnetIds: readonly string[];
  readonly vpcId?: string;
  readonly clusterSecurityGroupId?: string;
  readonly securityGroupIds: readonly string[];
}

/**
 * What each status EKS declares for a cluster (the SDK's `ClusterStatus`: a value an SDK
 * upgrade adds fails to compile here until it has an outcome) means for a volume:
 * - `usable`: its API serves. EKS keeps serving while `UPDATING`, which a cluster is during
 *   every version upgrade and after config changes (logging, endpoint access, access config);
 * - `wait`: it will serve (`CREATING`, `PENDING`): a TransientError, which the workflow
 *   retries with backoff and the API answers 503 with Retry-After;
 * - `terminal`: it will not (`DELETING`, `FAILED`): ClusterNotActiveError.
 */
export const CLUSTER_STATUS_OUTCOMES: Readonly<
  Record<ClusterStatus, 'usable' | 'wait' | 'terminal'>
> = {
  ACTIVE: 'usable',
  UPDATING: 'usable',
  CREATING: 'wait',
  PENDING: 'wait',
  DELETING: 'terminal',
  FAILED: 'terminal',
};

/**
 * Describes a usable (ACTIVE or UPDATING) cluster with EKS alone: its API endpoint and CA as EKS gives them now
 * (every step and API call that talks to the cluster asks afresh), so these bundles carry no
 * EC2 client.
 *
 * @throws ClusterNotFoundError, ClusterNotActiveError (DELETING, FAILED),
 *   ClusterConfigurationError, TransientError (CREATING, PENDING)
 */
export async function describeCluster(
  eks: EKSClient,
  clusterName: string,
): Promise<ClusterDescription> {
  const described = await eks
    .send(new DescribeClusterCommand({ name: clusterName }))
    .catch((error: unknown) => {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new ClusterNotFoundError(clusterName, { cause: error });
      }
      throw error;
    });
  const info = described.cluster;
  if (!info) throw new ClusterNotFoundError(clusterName);
  const outcome = info.status ? CLUSTER_STATUS_OUTCOMES[info.status] : 'usable';
  if (outcome === 'wait') {
    throw new TransientError(`EKS cluster "${clusterName}" is ${info.status}: not serving yet`);
  }
  // A status this code does not know is not taken as usable.
  if (outcome !== 'usable') throw new ClusterNotActiveError(clusterName, info.status ?? 'unknown');
  const vpcConfig = info.resourcesVpcConfig ?? {};
  const subnetIds = vpcConfig.subnetIds ?? [];
  if (subnetIds.length === 0) {
    throw new ClusterConfigurationError(`EKS cluster "${clusterName}" has no subnets`);
  }
  const endpoint = info.endpoint;
  const caData = info.certificateAuthority?.data;
  if (!endpoint || !caData) {
    throw new ClusterConfigurationError(`EKS cluster "${clusterName}" has no endpoint or CA yet`);
  }
  return {
    name: clusterName,
    endpoint,
    caData,
    subnetIds,
    ...(vpcConfig.vpcId ? { vpcId: vpcConfig.vpcId } : {}),
    ...(vpcConfig.clusterSecurityGroupId
      ? { clusterSecurityGroupId: vpcConfig.clusterSecurityGroupId }
      : {}),
    securityGroupIds: vpcConfig.securityGroupIds ?? [],
  };
}

/**
 * Describes a usable cluster's network: its subnets (zone, CIDR), falling back to the
 * subnets' VPC where EKS gives none.
 *
 * @throws ClusterNotFoundError, ClusterNotActiveError, ClusterConfigurationError
 */
export async function describeClusterNetwork(
  clients: { eks: EKSClient; ec2: EC2Client },
  clusterName: string,
): Promise<ClusterNetwork> {
  const cluster = await describeCluster(clients.eks, clusterName);
  const { Subnets = [] } = await clients.ec2.send(
    new DescribeSubnetsCommand({ SubnetIds: [...cluster.subnetIds] }),
  );
  const subnets: ClusterSubnet[] = Subnets.flatMap((subnet) =>
    subnet.SubnetId && subnet.AvailabilityZone
      ? [
          {
            subnetId: subnet.SubnetId,
            availabilityZone: subnet.AvailabilityZone,
            cidrBlock: subnet.CidrBlock ?? '',
          },
        ]
      : [],
  );
  const vpcId = cluster.vpcId ?? Subnets.find((subnet) => subnet.VpcId)?.VpcId;
  if (!vpcId)
    throw new ClusterConfigurationError(`cannot tell the VPC of cluster "${clusterName}"`);
  return {
    name: clusterName,
    vpcId,
    subnets,
    ...(cluster.clusterSecurityGroupId
      ? { clusterSecurityGroupId: cluster.clusterSecurityGroupId }
      : {}),
    securityGroupIds: cluster.securityGroupIds,
  };
}
