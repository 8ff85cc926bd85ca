// The Kubernetes emulator's pods on EFS, decided by what AWS holds now: a pod goes where a
// Fargate pod would (a subnet of a Fargate profile that selects it), with the security groups
// a Fargate pod gets (a SecurityGroupPolicy's, else the cluster security group), and mounts its
// EFS volumes by the rules of local/aws-model/efs-mount.ts, read from moto through the AWS
// model (lifecycle states) and from the model itself (mount targets' DNS delay).
import { createHash } from 'node:crypto';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  type FargateProfile,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import { wildcardMatches } from '../functions/lib/wildcards.ts';
import {
  type EfsMountFacts,
  efsMountOutcome,
  type IngressRule,
  type MountTargetFacts,
  type PolicyDocument,
} from './aws-model/efs-mount.ts';
import type { AwsModel } from './aws-model/model.ts';
import type { PodFate, PodFateOracle, PodPlacement, PodVolume } from './kube-emulator/index.ts';

export interface EfsPodFateOptions {
  readonly clusterName: string;
  readonly region: string;
  /** The AWS model, for the mount targets' DNS delay. @default none: every name resolves once available */
  readonly model?: () => AwsModel | undefined;
  /**
   * The directories a file system holds, as absolute paths (moto's model of them: EFS has no
   * API that lists files). @default none known: every mount's root looks empty
   */
  readonly directories?: (fileSystemId: string) => Promise<readonly string[]>;
}

/**
 * What a mount through an access point rooted at `root` shows at its top: the first path
 * component under `root` of every directory the file system holds, each once, sorted.
 */
export function entriesUnder(directories: readonly string[], root: string): string[] {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const entries = new Set<string>();
  for (const directory of directories) {
    if (!directory.startsWith(prefix)) continue;
    const [first] = directory.slice(prefix.length).split('/');
    if (first) entries.add(first);
  }
  return [...entries].sort();
}

/**
 * The directories moto's model knows on a file system (GET /_local/efs/directories of
 * local/moto-server.py); none when it cannot answer (moto's own server, an unknown file system).
 */
export function motoDirectories(
  motoEndpoint: string,
  region: string,
): (fileSystemId: string) => Promise<readonly string[]> {
  return async (fileSystemId) => {
    const url = `${motoEndpoint}/_local/efs/directories?fileSystemId=${encodeURIComponent(fileSystemId)}&region=${encodeURIComponent(region)}`;
    const response = await fetch(url).catch(() => undefined);
    if (!response?.ok) return [];
    const body = (await response.json()) as { directories?: unknown };
    return Array.isArray(body.directories) ? body.directories.map(String) : [];
  };
}

const EFS_CSI_DRIVER = 'efs.csi.aws.com';

/** The profiles of the cluster that select the pod: its namespace, and all their labels. */
async function selectingProfiles(
  eks: EKSClient,
  clusterName: string,
  pod: PodPlacement,
): Promise<FargateProfile[]> {
  const { fargateProfileNames = [] } = await eks.send(
    new ListFargateProfilesCommand({ clusterName }),
  );
  const profiles: FargateProfile[] = [];
  for (const name of fargateProfileNames) {
    const { fargateProfile } = await eks.send(
      new DescribeFargateProfileCommand({ clusterName, fargateProfileName: name }),
    );
    const selects = (fargateProfile?.selectors ?? []).some(
      (selector) =>
        wildcardMatches(selector.namespace ?? '', pod.namespace) &&
        Object.entries(selector.labels ?? {}).every(([key, value]) => pod.labels[key] === value),
    );
    if (fargateProfile && selects && fargateProfile.status !== 'DELETING')
      profiles.push(fargateProfile);
  }
  return profiles;
}

/**
 * The subnet Fargate puts a pod in: one of its profiles' subnets (AWS picks one; here the pod's
 * name does, so a test can tell the zone of a pod it sees).
 */
export function fargateSubnetOf(podName: string, subnetIds: readonly string[]): string {
  const sorted = [...subnetIds].sort();
  const pick = createHash('sha256').update(podName).digest().readUInt32BE(0) % sorted.length;
  return sorted[pick] ?? '';
}

/** A pod's address in its subnet: a host address past AWS's five reserved ones. */
function podAddress(cidr: string, podName: string): string {
  const [base = '10.0.0.0', bits = '24'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const offset =
    5 + (createHash('sha256').update(podName).digest().readUInt32BE(0) % Math.max(size - 6, 1));
  const start = base.split('.').reduce((value, part) => value * 256 + Number(part), 0);
  const address = start + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

function errorNameOf(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

async function efsFacts(
  clients: { efs: EFSClient; ec2: EC2Client },
  volume: PodVolume,
  pod: EfsMountFacts['pod'],
  options: EfsPodFateOptions,
  vpcResolves: boolean,
): Promise<EfsMountFacts & { readonly accessPointRoot?: string }> {
  const [fileSystemId = '', , accessPointId = ''] = volume.volumeHandle.split(':');
  const base = {
    region: options.region,
    fileSystemId,
    accessPointId,
    pod,
    mountTargets: [],
    ingress: {},
  };
  let described: EfsMountFacts['fileSystem'];
  try {
    const { FileSystems = [] } = await clients.efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    const fileSystem = FileSystems[0];
    if (fileSystem)
      described = { state: fileSystem.LifeCycleState ?? '', arn: fileSystem.FileSystemArn ?? '' };
  } catch (error) {
    if (errorNameOf(error) !== 'FileSystemNotFound') throw error;
  }
  if (!described || !vpcResolves) return base;
  const { MountTargets = [] } = await clients.efs.send(
    new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
  );
  const model = options.model?.();
  const mountTargets: MountTargetFacts[] = [];
  for (const target of MountTargets) {
    const id = target.MountTargetId ?? '';
    const { SecurityGroups = [] } =
      target.LifeCycleState === 'available'
        ? await clients.efs.send(
            new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: id }),
          )
        : {};
    const resolves = model?.mountTargetResolves(id);
    mountTargets.push({
      id,
      availabilityZone: target.AvailabilityZoneName ?? '',
      state: target.LifeCycleState ?? '',
      securityGroupIds: SecurityGroups,
      ...(resolves === undefined ? {} : { resolves }),
    });
  }
  const groupIds = [...new Set(mountTargets.flatMap((target) => target.securityGroupIds))];
  const ingress: Record<string, IngressRule[]> = {};
  if (groupIds.length > 0) {
    const { SecurityGroups = [] } = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: groupIds }),
    );
    for (const group of SecurityGroups) {
      ingress[group.GroupId ?? ''] = (group.IpPermissions ?? []).map((permission) => ({
        protocol: permission.IpProtocol ?? '-1',
        ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
        ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
        sourceGroupIds: (permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? ''),
        cidrs: (permission.IpRanges ?? []).map((range) => range.CidrIp ?? ''),
      }));
    }
  }
  let accessPoint: EfsMountFacts['accessPoint'];
  let accessPointRoot: string | undefined;
  try {
    const { AccessPoints = [] } = await clients.efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: accessPointId }),
    );
    const found = AccessPoints[0];
    if (found) {
      accessPoint = {
        state: found.LifeCycleState ?? '',
        arn: found.AccessPointArn ?? '',
        fileSystemId: found.FileSystemId ?? '',
      };
      accessPointRoot = found.RootDirectory?.Path ?? '/';
    }
  } catch (error) {
    if (errorNameOf(error) !== 'AccessPointNotFound') throw error;
  }
  let policy: PolicyDocument | undefined;
  try {
    const { Policy } = await clients.efs.send(
      new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }),
    );
    if (Policy) policy = JSON.parse(Policy) as PolicyDocument;
  } catch (error) {
    if (errorNameOf(error) !== 'PolicyNotFound') throw error;
  }
  return {
    ...base,
    fileSystem: described,
    mountTargets,
    ingress,
    ...(accessPoint ? { accessPoint } : {}),
    ...(accessPointRoot ? { accessPointRoot } : {}),
    ...(policy ? { policy } : {}),
  };
}

/**
 * The oracle of the emulator's Job runner for an EKS cluster on Fargate: where the pod runs,
 * and how each of its EFS volumes mounts. SDK clients are made per pod, so they use the
 * endpoint local mode points AWS_ENDPOINT_URL at then (the AWS model's proxy once it runs).
 */
export function efsPodFate(options: EfsPodFateOptions): PodFateOracle {
  return async (pod: PodPlacement): Promise<PodFate> => {
    const eks = new EKSClient({ region: options.region });
    const ec2 = new EC2Client({ region: options.region });
    const efs = new EFSClient({ region: options.region });
    const profiles = await selectingProfiles(eks, options.clusterName, pod);
    const subnetIds = profiles.flatMap((profile) => profile.subnets ?? []).sort();
    if (subnetIds.length === 0) {
      return {
        scheduled: false,
        message: `0/0 nodes are available: no Fargate profile of cluster ${options.clusterName} selects pod ${pod.namespace}/${pod.podName}`,
      };
    }
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: [fargateSubnetOf(pod.podName, subnetIds)] }),
    );
    const subnet = Subnets[0];
    const address = podAddress(subnet?.CidrBlock ?? '10.0.0.0/24', pod.podName);
    const node = `fargate-ip-${address.replaceAll('.', '-')}.${options.region}.compute.internal`;
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: options.clusterName }));
    const clusterGroup = cluster?.resourcesVpcConfig?.clusterSecurityGroupId;
    const securityGroupIds =
      pod.securityGroupIds.length > 0 ? pod.securityGroupIds : clusterGroup ? [clusterGroup] : [];
    const vpcResolves = await vpcResolvesNames(ec2, subnet?.VpcId);
    const placed = { availabilityZone: subnet?.AvailabilityZone ?? '', address, securityGroupIds };
    const readOnly: PodVolume[] = [];
    const entries: Record<string, readonly string[]> = {};
    for (const volume of pod.volumes.filter((one) => one.driver === EFS_CSI_DRIVER)) {
      const facts = await efsFacts({ efs, ec2 }, volume, placed, options, vpcResolves);
      const outcome = efsMountOutcome(facts);
      if (!outcome.ok)
        return { scheduled: true, node, mount: { ok: false, volume, output: outcome.output } };
      if (outcome.readOnly) readOnly.push(volume);
      const directories = (await options.directories?.(facts.fileSystemId)) ?? [];
      entries[volume.mountPath] = entriesUnder(directories, facts.accessPointRoot ?? '/');
    }
    return { scheduled: true, node, mount: { ok: true, readOnly, entries } };
  };
}

/** EFS names resolve only in a VPC with DNS support and DNS hostnames on (AWS's EFS prerequisites). */
async function vpcResolvesNames(ec2: EC2Client, vpcId: string | undefined): Promise<boolean> {
  if (!vpcId) return true;
  const support = await ec2.send(
    new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }),
  );
  const hostnames = await ec2.send(
    new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
  );
  return support.EnableDnsSupport?.Value !== false && hostnames.EnableDnsHostnames?.Value !== false;
}
