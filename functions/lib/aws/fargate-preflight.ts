import {
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  type EC2Client,
  type Subnet,
  type VpcAttributeName,
} from '@aws-sdk/client-ec2';
import {
  DescribeFargateProfileCommand,
  type EKSClient,
  type FargateProfileSelector,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import { started } from '../concurrency.ts';
import { problems } from '../problems/problem.ts';
import { wildcardMatches } from '../wildcards.ts';
import { type ClusterDescription, subnetPerZone } from './cluster.ts';

/** A Fargate profile that selects the namespace, and how. */
export interface SelectingProfile {
  readonly name: string;
  /** Pod labels the selector also asks for; empty when it selects every pod of the namespace. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly subnetIds: readonly string[];
}

/** A subnet a new mount target takes an address in, and how many it has free now. */
export interface MountTargetSubnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly availableAddresses: number;
  readonly reserve: number;
}

/** What the Fargate preflight found: enough for the plan, the record and the mount targets. */
export interface FargateReport {
  readonly vpcId: string | undefined;
  readonly profiles: readonly SelectingProfile[];
  /** Every Availability Zone a pod of the namespace may run in: mount targets must cover each. */
  readonly availabilityZones: readonly string[];
  readonly warnings: readonly string[];
  /** The subnets new mount targets would take one address each in; only when checked. */
  readonly mountTargetSubnets?: readonly MountTargetSubnet[];
}

async function selectingProfiles(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
): Promise<SelectingProfile[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(new ListFargateProfilesCommand({ clusterName, nextToken }));
    names.push(...(page.fargateProfileNames ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const selecting: SelectingProfile[] = [];
  for (const fargateProfileName of names) {
    const { fargateProfile } = await eks.send(
      new DescribeFargateProfileCommand({ clusterName, fargateProfileName }),
    );
    if (fargateProfile?.status && fargateProfile.status !== 'ACTIVE') continue;
    const selectors: FargateProfileSelector[] = fargateProfile?.selectors ?? [];
    const matching = selectors.filter((selector) =>
      wildcardMatches(selector.namespace ?? '', namespace),
    );
    if (matching.length === 0) continue;
    // The widest matching selector: one without labels selects every pod of the namespace.
    const widest =
      matching.find((selector) => Object.keys(selector.labels ?? {}).length === 0) ?? matching[0];
    selecting.push({
      name: fargateProfileName,
      podLabels: widest?.labels ?? {},
      subnetIds: fargateProfile?.subnets ?? [],
    });
  }
  return selecting;
}

const DNS_ATTRIBUTES = ['enableDnsSupport', 'enableDnsHostnames'] as const;

async function dnsAttribute(
  ec2: EC2Client,
  VpcId: string,
  Attribute: VpcAttributeName,
): Promise<boolean> {
  const answer = await ec2.send(new DescribeVpcAttributeCommand({ VpcId, Attribute }));
  const value =
    Attribute === 'enableDnsSupport' ? answer.EnableDnsSupport : answer.EnableDnsHostnames;
  return value?.Value === true;
}

/** The subnets a pod of the namespace may run in: the cluster's and its selecting profiles'. */
interface NamespaceSubnets {
  readonly profiles: readonly SelectingProfile[];
  readonly subnets: readonly Subnet[];
}

async function namespaceSubnets(
  deps: { readonly eks: EKSClient; readonly ec2: EC2Client },
  cluster: ClusterDescription,
  namespace: string,
): Promise<NamespaceSubnets> {
  const profiles = await selectingProfiles(deps.eks, cluster.name, namespace);
  const subnetIds = [...new Set([...cluster.subnetIds, ...profiles.flatMap((p) => p.subnetIds)])];
  const { Subnets = [] } =
    subnetIds.length > 0
      ? await deps.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))
      : {};
  return { profiles, subnets: Subnets };
}

/** The zones a namespace's pods may run in, and those of them where the cluster has a subnet. */
export interface NamespaceZones {
  /** Every Availability Zone a pod of the namespace may run in, sorted. */
  readonly availabilityZones: readonly string[];
  /** The zones of the cluster's own subnets, sorted: where mount targets are created. */
  readonly clusterZones: readonly string[];
}

function zonesOf(subnets: readonly Subnet[], cluster: ClusterDescription): NamespaceZones {
  const clusterZones = new Set(
    subnets
      .filter((subnet) => cluster.subnetIds.includes(subnet.SubnetId ?? ''))
      .map((subnet) => subnet.AvailabilityZone ?? '')
      .filter(Boolean),
  );
  const zones = new Set(subnets.map((subnet) => subnet.AvailabilityZone ?? '').filter(Boolean));
  return { availabilityZones: [...zones].sort(), clusterZones: [...clusterZones].sort() };
}

/**
 * The Availability Zones a namespace's pods may run in (the cluster's subnets and those of the
 * Fargate profiles selecting the namespace): the zones a volume needs a mount target in. The
 * preflight and the health check share it, so both mean the same zones.
 */
export async function namespaceZones(
  deps: { readonly eks: EKSClient; readonly ec2: EC2Client },
  cluster: ClusterDescription,
  namespace: string,
): Promise<NamespaceZones> {
  return zonesOf((await namespaceSubnets(deps, cluster, namespace)).subnets, cluster);
}

/**
 * The subnet of each cluster zone a new mount target goes in (the workflow's own choice,
 * {@link subnetPerZone}), with its free addresses as EC2 counts them now.
 */
function mountTargetSubnets(
  subnets: readonly Subnet[],
  cluster: ClusterDescription,
  reserve: number,
): MountTargetSubnet[] {
  const ours = subnets.filter(
    (subnet) => subnet.SubnetId && cluster.subnetIds.includes(subnet.SubnetId),
  );
  const chosen = subnetPerZone({
    subnets: ours.flatMap((subnet) =>
      subnet.SubnetId && subnet.AvailabilityZone
        ? [
            {
              subnetId: subnet.SubnetId,
              availabilityZone: subnet.AvailabilityZone,
              cidrBlock: subnet.CidrBlock ?? '',
            },
          ]
        : [],
    ),
  });
  return chosen.flatMap((choice) => {
    const available = ours.find(
      (subnet) => subnet.SubnetId === choice.subnetId,
    )?.AvailableIpAddressCount;
    // EC2 always counts; a subnet it does not count for cannot be judged, so it is not.
    return available === undefined
      ? []
      : [
          {
            subnetId: choice.subnetId,
            availabilityZone: choice.availabilityZone,
            availableAddresses: available,
            reserve,
          },
        ];
  });
}

/**
 * The checks a Fargate user needs before anything is created: the cluster VPC resolves EFS
 * DNS names (`enableDnsSupport` and `enableDnsHostnames`), which Fargate profiles select the
 * namespace, and which zones its pods may run in. With `subnetAddressReserve` (a volume that
 * creates its own mount targets), also that each mount target leaves its subnet at least that
 * many free addresses: the same addresses Fargate pods need.
 *
 * @throws ProblemError `vpc-dns-disabled` (422) when the VPC cannot resolve mount target names
 * @throws ProblemError `subnet-address-reserve` (422) when a mount target would eat the reserve
 */
export async function fargatePreflight(
  deps: { readonly eks: EKSClient; readonly ec2: EC2Client },
  cluster: ClusterDescription,
  namespace: string,
  options: { readonly subnetAddressReserve?: number } = {},
): Promise<FargateReport> {
  // The VPC's DNS is read beside the profiles and subnets when the cluster names its VPC (EKS
  // always does): three round trips instead of five, the same calls, the same first error.
  const dnsOff = (vpcId: string) =>
    Promise.all(
      DNS_ATTRIBUTES.map(async (attribute) =>
        (await dnsAttribute(deps.ec2, vpcId, attribute)) ? [] : [attribute],
      ),
    ).then((off) => off.flat());
  const early = cluster.vpcId === undefined ? undefined : started(dnsOff(cluster.vpcId));
  const { profiles, subnets: Subnets } = await namespaceSubnets(deps, cluster, namespace);
  const vpcId = cluster.vpcId ?? Subnets[0]?.VpcId;
  if (vpcId) {
    const off = early ? await early.result() : await dnsOff(vpcId);
    if (off.length > 0) throw problems.vpcDnsDisabled(vpcId, off);
  }
  const zones = zonesOf(Subnets, cluster);
  const clusterZones = new Set(zones.clusterZones);
  const warnings: string[] = [];
  if (profiles.length === 0) {
    warnings.push(
      `no Fargate profile selects namespace ${namespace}: its pods run on EC2 nodes, which need the EFS CSI node driver to mount the volume`,
    );
  }
  for (const profile of profiles) {
    const labels = Object.entries(profile.podLabels).map(([key, value]) => `${key}=${value}`);
    if (labels.length > 0) {
      warnings.push(
        `Fargate profile ${profile.name} selects only the pods of ${namespace} labelled ${labels.join(', ')}: others run on EC2 nodes`,
      );
    }
    const outside = Subnets.filter(
      (subnet) =>
        profile.subnetIds.includes(subnet.SubnetId ?? '') &&
        !clusterZones.has(subnet.AvailabilityZone ?? ''),
    ).map((subnet) => subnet.AvailabilityZone ?? '');
    if (outside.length > 0) {
      warnings.push(
        `Fargate profile ${profile.name} places pods in ${[...new Set(outside)].join(', ')}, where the cluster has no subnet: mount targets are created in the cluster's zones only`,
      );
    }
  }
  const reserve = options.subnetAddressReserve;
  if (reserve === undefined) {
    return { vpcId, profiles, availabilityZones: zones.availabilityZones, warnings };
  }
  const subnets = mountTargetSubnets(Subnets, cluster, reserve);
  // A new mount target takes one address of its subnet.
  const short = subnets.filter((subnet) => subnet.availableAddresses - 1 < reserve);
  if (short.length > 0) throw problems.subnetAddressReserve(short);
  return {
    vpcId,
    profiles,
    availabilityZones: zones.availabilityZones,
    warnings,
    mountTargetSubnets: subnets,
  };
}
