import {
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeFargateProfileCommand,
  EKSClient,
  type FargateProfileSelector,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterDescription } from '../../functions/lib/aws/cluster.ts';
import { fargatePreflight } from '../../functions/lib/aws/fargate-preflight.ts';
import { planVolume } from '../../functions/lib/service/plan.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';

const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const deps = { eks: new EKSClient({}), ec2: new EC2Client({}) };

const cluster: ClusterDescription = {
  name: 'prod',
  endpoint: 'https://example',
  caData: '',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: [],
};

const SUBNETS: {
  SubnetId: string;
  AvailabilityZone: string;
  VpcId: string;
  AvailableIpAddressCount?: number;
}[] = [
  { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1' },
  { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b', VpcId: 'vpc-1' },
  { SubnetId: 'subnet-c', AvailabilityZone: 'us-east-1c', VpcId: 'vpc-1' },
];

function given(options: {
  dnsSupport?: boolean;
  dnsHostnames?: boolean;
  /** Free addresses by subnet id, as EC2's AvailableIpAddressCount. */
  freeAddresses?: Record<string, number>;
  profiles?: Record<string, { selectors: FargateProfileSelector[]; subnets?: string[] }>;
}) {
  const profiles = options.profiles ?? {};
  eksMock.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: Object.keys(profiles) });
  for (const [name, profile] of Object.entries(profiles)) {
    eksMock.on(DescribeFargateProfileCommand, { fargateProfileName: name }).resolves({
      fargateProfile: {
        fargateProfileName: name,
        status: 'ACTIVE',
        selectors: profile.selectors,
        subnets: profile.subnets ?? ['subnet-a', 'subnet-b'],
      },
    });
  }
  ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { SubnetIds?: string[] }) => ({
    Subnets: SUBNETS.filter((subnet) => input.SubnetIds?.includes(subnet.SubnetId)).map(
      (subnet) => ({
        ...subnet,
        AvailableIpAddressCount: options.freeAddresses?.[subnet.SubnetId] ?? 250,
      }),
    ),
  }));
  ec2Mock
    .on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' })
    .resolves({ EnableDnsSupport: { Value: options.dnsSupport ?? true } });
  ec2Mock
    .on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' })
    .resolves({ EnableDnsHostnames: { Value: options.dnsHostnames ?? true } });
}

beforeEach(() => {
  eksMock.reset();
  ec2Mock.reset();
});

describe('fargatePreflight', () => {
  it('refuses a VPC with DNS hostnames off with 422 vpc-dns-disabled saying what to turn on', async () => {
    // Prepare
    given({ dnsHostnames: false, profiles: { teams: { selectors: [{ namespace: 'team-a' }] } } });

    // Act
    const refused = await fargatePreflight(deps, cluster, 'team-a').catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(refused).toMatchObject({ status: 422, slug: 'vpc-dns-disabled' });
    expect((refused as Error).message).toContain('enableDnsHostnames');
    expect((refused as Error).message).toContain('--enable-dns-hostnames');
    expect((refused as Error).message).not.toContain('enableDnsSupport');
  });

  it("reads the VPC's DNS beside the profiles when the cluster names its VPC", async () => {
    // Prepare: the profiles answer only after a pause
    given({ profiles: { teams: { selectors: [{ namespace: 'team-a' }] } } });
    const order: string[] = [];
    eksMock.on(ListFargateProfilesCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('profiles listed');
      return { fargateProfileNames: ['teams'] };
    });
    ec2Mock.on(DescribeVpcAttributeCommand).callsFake((input: { Attribute?: string }) => {
      order.push(`${input.Attribute} read`);
      return { EnableDnsSupport: { Value: true }, EnableDnsHostnames: { Value: true } };
    });

    // Act
    const report = await fargatePreflight(deps, { ...cluster, vpcId: 'vpc-1' }, 'team-a');

    // Assess: both attributes read before the profiles answered, and the same report
    expect(order).toEqual(['enableDnsSupport read', 'enableDnsHostnames read', 'profiles listed']);
    expect(report.vpcId).toBe('vpc-1');
    expect(report.profiles.map((profile) => profile.name)).toEqual(['teams']);
  });

  it('refuses with the first failure in the order the checks had one after another', async () => {
    // Prepare: the profiles cannot be listed, and the VPC's DNS is off too
    given({ dnsHostnames: false });
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    eksMock.on(ListFargateProfilesCommand).rejects(denied);

    // Act
    const refused = await fargatePreflight(deps, { ...cluster, vpcId: 'vpc-1' }, 'team-a').catch(
      (caught: unknown) => caught,
    );

    // Assess: the profiles' error, not vpc-dns-disabled
    expect(refused).toBe(denied);
  });

  it('refuses a VPC with DNS support off', async () => {
    // Prepare
    given({ dnsSupport: false });

    // Act
    const refused = await fargatePreflight(deps, cluster, 'team-a').catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(refused).toMatchObject({ status: 422, slug: 'vpc-dns-disabled' });
    expect((refused as Error).message).toContain('enableDnsSupport');
  });

  it('names the profiles selecting the namespace, wildcards included, with no warning', async () => {
    // Prepare
    given({
      profiles: {
        teams: { selectors: [{ namespace: 'team-*' }] },
        system: { selectors: [{ namespace: 'kube-system' }] },
      },
    });

    // Act
    const report = await fargatePreflight(deps, cluster, 'team-a');

    // Assess
    expect(report.profiles.map((profile) => profile.name)).toEqual(['teams']);
    expect(report.warnings).toEqual([]);
    expect(report.vpcId).toBe('vpc-1');
  });

  it('warns when no Fargate profile selects the namespace', async () => {
    // Prepare
    given({ profiles: { teams: { selectors: [{ namespace: 'team-b' }] } } });

    // Act
    const report = await fargatePreflight(deps, cluster, 'team-a');

    // Assess
    expect(report.profiles).toEqual([]);
    expect(report.warnings).toEqual([
      expect.stringContaining('no Fargate profile selects namespace team-a'),
    ]);
    expect(report.warnings[0]).toContain('EFS CSI node driver');
  });

  it('says a profile that also asks for pod labels selects only the pods carrying them', async () => {
    // Prepare
    given({
      profiles: {
        labelled: { selectors: [{ namespace: 'team-a', labels: { compute: 'fargate' } }] },
      },
    });

    // Act
    const report = await fargatePreflight(deps, cluster, 'team-a');

    // Assess
    expect(report.profiles).toEqual([
      { name: 'labelled', podLabels: { compute: 'fargate' }, subnetIds: ['subnet-a', 'subnet-b'] },
    ]);
    expect(report.warnings).toEqual([expect.stringContaining('labelled compute=fargate')]);
  });

  it('covers the zones of the selecting profiles’ subnets, and warns of one the cluster has no subnet in', async () => {
    // Prepare
    given({
      profiles: {
        teams: { selectors: [{ namespace: 'team-a' }], subnets: ['subnet-b', 'subnet-c'] },
      },
    });

    // Act
    const report = await fargatePreflight(deps, cluster, 'team-a');

    // Assess
    expect(report.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(report.warnings).toEqual([expect.stringContaining('us-east-1c')]);
  });

  it('puts the profiles, zones and warnings in the dry-run plan', async () => {
    // Prepare
    given({});
    const spec = validateVolumeRequest(
      { clusterName: 'prod', namespace: 'team-a', name: 'data', dryRun: true },
      { allowRootPosixUser: false },
    );

    // Act
    const plan = planVolume(
      'vol-1',
      spec,
      cluster,
      await fargatePreflight(deps, cluster, 'team-a'),
    );

    // Assess
    expect(plan.fargate).toEqual({ profiles: [], availabilityZones: ['us-east-1a', 'us-east-1b'] });
    expect(plan.warnings).toEqual([expect.stringContaining('no Fargate profile')]);
  });

  describe('subnet address reserve', () => {
    it('refuses with 422 subnet-address-reserve when a mount target would leave a cluster subnet below the reserve', async () => {
      // Prepare: subnet-b has 16 free; its mount target would leave 15, one under the reserve
      given({ freeAddresses: { 'subnet-a': 17, 'subnet-b': 16 } });

      // Act
      const refused = await fargatePreflight(deps, cluster, 'team-a', {
        subnetAddressReserve: 16,
      }).catch((caught: unknown) => caught);

      // Assess
      expect(refused).toMatchObject({ status: 422, slug: 'subnet-address-reserve' });
      const detail = (refused as Error).message;
      expect(detail).toContain('subnet-b (us-east-1b) 15 free');
      expect(detail).toContain('SUBNET_ADDRESS_RESERVE');
      expect(detail).not.toContain('subnet-a');
    });

    it('accepts a subnet its mount target leaves with exactly the reserve, and reports each subnet', async () => {
      // Prepare
      given({ freeAddresses: { 'subnet-a': 17, 'subnet-b': 300 } });

      // Act
      const report = await fargatePreflight(deps, cluster, 'team-a', { subnetAddressReserve: 16 });

      // Assess
      expect(report.mountTargetSubnets).toEqual([
        {
          subnetId: 'subnet-a',
          availabilityZone: 'us-east-1a',
          availableAddresses: 17,
          reserve: 16,
        },
        {
          subnetId: 'subnet-b',
          availabilityZone: 'us-east-1b',
          availableAddresses: 300,
          reserve: 16,
        },
      ]);
    });

    it('judges only the subnet a mount target goes in: the lowest id of each zone, not a profile-only subnet', async () => {
      // Prepare: subnet-c (a profile's, not the cluster's) is full; the cluster's are not
      given({
        profiles: {
          teams: { selectors: [{ namespace: 'team-a' }], subnets: ['subnet-b', 'subnet-c'] },
        },
        freeAddresses: { 'subnet-c': 0 },
      });

      // Act
      const report = await fargatePreflight(deps, cluster, 'team-a', { subnetAddressReserve: 16 });

      // Assess
      expect(report.mountTargetSubnets?.map((subnet) => subnet.subnetId)).toEqual([
        'subnet-a',
        'subnet-b',
      ]);
    });

    it('checks nothing without a reserve, as for a shared file system whose mount targets exist', async () => {
      // Prepare
      given({ freeAddresses: { 'subnet-a': 0, 'subnet-b': 0 } });

      // Act
      const report = await fargatePreflight(deps, cluster, 'team-a');

      // Assess
      expect(report.mountTargetSubnets).toBeUndefined();
    });

    it('shows the quotas and the subnets in the dry-run plan', async () => {
      // Prepare
      given({});
      const spec = validateVolumeRequest(
        { clusterName: 'prod', namespace: 'team-a', name: 'data', dryRun: true },
        { allowRootPosixUser: false },
      );
      const usage = [
        { scope: 'namespace' as const, subject: 'prod/team-a', limit: 50, usage: 3 },
        {
          scope: 'caller' as const,
          subject: 'arn:aws:iam::123456789012:role/a',
          limit: 100,
          usage: 7,
        },
      ];

      // Act
      const plan = planVolume(
        'vol-1',
        spec,
        cluster,
        await fargatePreflight(deps, cluster, 'team-a', { subnetAddressReserve: 16 }),
        usage,
      );

      // Assess
      expect(plan.quotas).toEqual({
        volumes: usage,
        mountTargetSubnets: [
          {
            subnetId: 'subnet-a',
            availabilityZone: 'us-east-1a',
            availableAddresses: 250,
            reserve: 16,
          },
          {
            subnetId: 'subnet-b',
            availabilityZone: 'us-east-1b',
            availableAddresses: 250,
            reserve: 16,
          },
        ],
      });
    });
  });
});
