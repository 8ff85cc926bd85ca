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

/** What the workflow needs to know of an EKS cluster: plain data, passed between steps. */
export interface ClusterTarget {
  readonly name: string;
  readonly endpoint: string;
  /** Base64 of the cluster CA's PEM, as in `certificateAuthority.data`. */
  readonly caData: string;
  readonly vpcId: string;
  readonly subnets: readonly ClusterSubnet[];
  /** The security group EKS puts on Fargate pods; absent on some clusters (and in moto). */
  readonly clusterSecurityGroupId?: string;
  /** The additional security groups of the control plane ENIs. */
  readonly securityGroupIds: readonly string[];
}

interface EndpointOverride {
  readonly endpoint: string;
  readonly caData: string;
}

/**
 * Local mode only: moto's DescribeCluster gives a random endpoint and a CA that is not a
 * certificate, so `KUBE_ENDPOINT_OVERRIDES` (JSON: cluster name → {endpoint, caData}) names
 * the Kubernetes emulator instead. Unset in AWS.
 */
function endpointOverride(clusterName: string): EndpointOverride | undefined {
  const raw = process.env.KUBE_ENDPOINT_OVERRIDES;
  if (!raw) return undefined;
  const overrides = JSON.parse(raw) as Record<string, EndpointOverride>;
  return overrides[clusterName];
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
 * Describes an ACTIVE cluster with EKS alone: what the API functions need, so their bundles
 * carry no EC2 client.
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
  const override = endpointOverride(clusterName);
  const endpoint = override?.endpoint ?? info.endpoint;
  const caData = override?.caData ?? info.certificateAuthority?.data;
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
 * Describes an ACTIVE cluster and its subnets (zone, CIDR), falling back to the subnets'
 * VPC where EKS gives none.
 *
 * @throws ClusterNotFoundError, ClusterNotActiveError, ClusterConfigurationError
 */
export async function describeClusterTarget(
  clients: { eks: EKSClient; ec2: EC2Client },
  clusterName: string,
): Promise<ClusterTarget> {
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
    endpoint: cluster.endpoint,
    caData: cluster.caData,
    vpcId,
    subnets,
    ...(cluster.clusterSecurityGroupId
      ? { clusterSecurityGroupId: cluster.clusterSecurityGroupId }
      : {}),
    securityGroupIds: cluster.securityGroupIds,
  };
}
