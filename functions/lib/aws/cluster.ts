import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import {
  ClusterConfigurationError,
  ClusterNotActiveError,
  ClusterNotFoundError,
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

/** An ACTIVE cluster as EKS describes it: enough to reach its API, no EC2 call needed. */
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
 * Describes an ACTIVE cluster with EKS alone: its API endpoint and CA as EKS gives them now
 * (every step and API call that talks to the cluster asks afresh), so these bundles carry no
 * EC2 client.
 *
 * @throws ClusterNotFoundError, ClusterNotActiveError, ClusterConfigurationError
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
  if (info.status && info.status !== 'ACTIVE') {
    throw new ClusterNotActiveError(clusterName, info.status);
  }
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
 * Describes an ACTIVE cluster's network: its subnets (zone, CIDR), falling back to the
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
