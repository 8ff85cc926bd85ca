import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateFargateProfileCommand,
  type EKSClient,
  type FargateProfileSelector,
} from '@aws-sdk/client-eks';

export interface SeededCluster {
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly availabilityZones: string[];
  /** The control plane's additional security group (`securityGroupIds`), which the seed makes. */
  readonly securityGroupId: string;
  /**
   * The cluster security group, which EKS makes (`eks-cluster-sg-<name>-<id>`) and puts on
   * Fargate pods: moto makes it as EKS does (local/moto_eks.py); absent when moto runs without
   * that module (the `moto_server` command).
   */
  readonly clusterSecurityGroupId?: string;
}

export interface SeedClusterOptions {
  readonly region?: string;
  /** @default three: a, b and c of the region */
  readonly zones?: readonly string[];
  /** Two subnets per zone, as clusters with public and private subnets have. @default false */
  readonly twoSubnetsPerZone?: boolean;
  /** The VPC's `enableDnsSupport` and `enableDnsHostnames`, which EFS on Fargate needs. @default true */
  readonly vpcDns?: boolean;
  /**
   * Fargate profiles by name, each with its selectors, on the cluster's subnets.
   * @default `teams`, selecting team-a and team-b (so `default` shows the no-profile warning)
   */
  readonly fargateProfiles?: Readonly<Record<string, readonly FargateProfileSelector[]>>;
}

/**
 * Creates in moto what an EKS cluster stands on: a VPC, subnets across zones, an additional
 * security group for the control plane, and the cluster itself (ACTIVE at once in moto, which
 * makes its cluster security group as EKS does).
 */
export async function seedCluster(
  clients: { ec2: EC2Client; eks: EKSClient },
  name: string,
  options: SeedClusterOptions = {},
): Promise<SeededCluster> {
  const region = options.region ?? 'us-east-1';
  const zones = [...(options.zones ?? ['a', 'b', 'c'].map((letter) => `${region}${letter}`))];
  const { Vpc } = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = Vpc?.VpcId;
  if (!vpcId) throw new Error('moto created no VPC');
  const dns = options.vpcDns ?? true;
  // One attribute per call, as EC2 wants.
  await clients.ec2.send(
    new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: dns } }),
  );
  await clients.ec2.send(
    new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: dns } }),
  );
  const subnetIds: string[] = [];
  let index = 0;
  for (const zone of zones) {
    for (let copy = 0; copy < (options.twoSubnetsPerZone ? 2 : 1); copy++) {
      const { Subnet } = await clients.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.20.${index * 16}.0/20`,
          AvailabilityZone: zone,
        }),
      );
      index++;
      if (Subnet?.SubnetId) subnetIds.push(Subnet.SubnetId);
    }
  }
  const { GroupId } = await clients.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${name}-control-plane`,
      Description: `Additional security group of the EKS control plane of ${name}`,
      VpcId: vpcId,
    }),
  );
  if (!GroupId) throw new Error('moto created no security group');
  const { cluster } = await clients.eks.send(
    new CreateClusterCommand({
      name,
      roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
      version: '1.32',
      resourcesVpcConfig: { subnetIds, securityGroupIds: [GroupId] },
    }),
  );
  const profiles = options.fargateProfiles ?? {
    teams: [{ namespace: 'team-a' }, { namespace: 'team-b' }],
  };
  for (const [fargateProfileName, selectors] of Object.entries(profiles)) {
    await clients.eks.send(
      new CreateFargateProfileCommand({
        clusterName: name,
        fargateProfileName,
        podExecutionRoleArn: 'arn:aws:iam::123456789012:role/eks-fargate-pods',
        subnets: subnetIds,
        selectors: [...selectors],
      }),
    );
  }
  const clusterSecurityGroupId = cluster?.resourcesVpcConfig?.clusterSecurityGroupId;
  return {
    name,
    vpcId,
    subnetIds,
    availabilityZones: zones,
    securityGroupId: GroupId,
    ...(clusterSecurityGroupId ? { clusterSecurityGroupId } : {}),
  };
}
