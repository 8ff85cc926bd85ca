import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  type Cluster,
  ClusterStatus,
  DescribeClusterCommand,
  EKSClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLUSTER_STATUS_OUTCOMES,
  describeCluster,
  describeClusterNetwork,
} from '../../functions/lib/aws/cluster.ts';
import {
  ClusterConfigurationError,
  ClusterNotActiveError,
  ClusterNotFoundError,
  TransientError,
} from '../../functions/lib/errors.ts';

const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const clients = {
  eks: new EKSClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
};

function clusterIs(overrides: Partial<Cluster> = {}): void {
  eksMock.on(DescribeClusterCommand, { name: 'demo' }).resolves({
    cluster: {
      name: 'demo',
      status: 'ACTIVE',
      endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: 'LS0tLS1CRUdJTg==' },
      resourcesVpcConfig: {
        vpcId: 'vpc-cluster',
        subnetIds: ['subnet-a', 'subnet-b'],
        securityGroupIds: ['sg-plane'],
        clusterSecurityGroupId: 'sg-cluster',
      },
      ...overrides,
    },
  });
}

function subnetsAre(): void {
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      {
        SubnetId: 'subnet-a',
        AvailabilityZone: 'us-east-1a',
        CidrBlock: '10.0.1.0/24',
        VpcId: 'vpc-subnets',
      },
      {
        SubnetId: 'subnet-b',
        AvailabilityZone: 'us-east-1b',
        CidrBlock: '10.0.2.0/24',
        VpcId: 'vpc-subnets',
      },
    ],
  });
}

beforeEach(() => {
  eksMock.reset();
  ec2Mock.reset();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('describeClusterNetwork', () => {
  it('describes an ACTIVE cluster and its subnets', async () => {
    // Prepare
    clusterIs();
    subnetsAre();

    // Act
    const target = await describeClusterNetwork(clients, 'demo');

    // Assess
    // No endpoint or CA: the Kubernetes steps describe those afresh.
    expect(target).toEqual({
      name: 'demo',
      vpcId: 'vpc-cluster',
      subnets: [
        { subnetId: 'subnet-a', availabilityZone: 'us-east-1a', cidrBlock: '10.0.1.0/24' },
        { subnetId: 'subnet-b', availabilityZone: 'us-east-1b', cidrBlock: '10.0.2.0/24' },
      ],
      clusterSecurityGroupId: 'sg-cluster',
      securityGroupIds: ['sg-plane'],
    });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({
      SubnetIds: ['subnet-a', 'subnet-b'],
    });
  });

  it('maps ResourceNotFoundException to ClusterNotFoundError, keeping the cause', async () => {
    // Prepare
    const missing = new ResourceNotFoundException({
      message: 'No cluster found for name: demo.',
      $metadata: {},
    });
    eksMock.on(DescribeClusterCommand).rejects(missing);

    // Act
    const error = await describeClusterNetwork(clients, 'demo').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ClusterNotFoundError);
    expect(error).toMatchObject({
      name: 'ClusterNotFoundError',
      clusterName: 'demo',
      cause: missing,
    });
  });

  it('passes on other errors from EKS', async () => {
    // Prepare
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    eksMock.on(DescribeClusterCommand).rejects(denied);

    // Act
    const outcome = describeClusterNetwork(clients, 'demo');

    // Assess
    await expect(outcome).rejects.toBe(denied);
  });

  it('uses a cluster that is UPDATING: EKS serves its API through upgrades and config changes', async () => {
    // Prepare
    clusterIs({ status: 'UPDATING' });
    subnetsAre();

    // Act
    const network = await describeClusterNetwork(clients, 'demo');

    // Assess
    expect(network.name).toBe('demo');
  });

  it.each(['CREATING', 'PENDING'] as const)(
    'waits for a cluster that is %s: a TransientError, which the workflow retries',
    async (status) => {
      // Prepare
      clusterIs({ status });
      subnetsAre();

      // Act
      const error = await describeClusterNetwork(clients, 'demo').catch(
        (caught: unknown) => caught,
      );

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).name).toBe('TransientError');
    },
  );

  it('has an outcome for every cluster status the SDK declares', () => {
    // Assess: the SDK's own enum, as the service model lists it
    expect(Object.keys(CLUSTER_STATUS_OUTCOMES).sort()).toEqual(
      Object.values(ClusterStatus).sort(),
    );
  });

  it.each(['DELETING', 'FAILED'] as const)(
    'refuses a cluster that is %s with ClusterNotActiveError',
    async (status) => {
      // Prepare
      clusterIs({ status });
      subnetsAre();

      // Act
      const error = await describeClusterNetwork(clients, 'demo').catch(
        (caught: unknown) => caught,
      );

      // Assess
      expect(error).toBeInstanceOf(ClusterNotActiveError);
      expect(error).toMatchObject({ clusterName: 'demo', clusterStatus: status });
    },
  );

  it('refuses a cluster without subnets with ClusterConfigurationError', async () => {
    // Prepare
    clusterIs({ resourcesVpcConfig: { vpcId: 'vpc-cluster', subnetIds: [] } });

    // Act
    const outcome = describeClusterNetwork(clients, 'demo');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ClusterConfigurationError);
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  it("falls back to the subnets' VPC when the cluster does not name one", async () => {
    // Prepare
    clusterIs({ resourcesVpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] } });
    subnetsAre();

    // Act
    const target = await describeClusterNetwork(clients, 'demo');

    // Assess
    expect(target.vpcId).toBe('vpc-subnets');
    expect(target).not.toHaveProperty('clusterSecurityGroupId');
    expect(target.securityGroupIds).toEqual([]);
  });

  it('refuses a cluster whose VPC cannot be told', async () => {
    // Prepare
    clusterIs({ resourcesVpcConfig: { subnetIds: ['subnet-a'] } });
    ec2Mock
      .on(DescribeSubnetsCommand)
      .resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }] });

    // Act
    const outcome = describeClusterNetwork(clients, 'demo');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ClusterConfigurationError);
  });

  it('refuses a cluster without an endpoint or CA yet', async () => {
    // Prepare
    clusterIs({ endpoint: undefined });
    subnetsAre();

    // Act
    const outcome = describeClusterNetwork(clients, 'demo');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ClusterConfigurationError);
  });
});

describe('describeCluster', () => {
  it('gives the endpoint and CA EKS describes at each call, whatever the environment says', async () => {
    // Prepare: an override variable as local mode once set it must change nothing.
    vi.stubEnv(
      'KUBE_ENDPOINT_OVERRIDES',
      JSON.stringify({ demo: { endpoint: 'https://127.0.0.1:6443', caData: 'UEVN' } }),
    );
    clusterIs();
    subnetsAre();
    const first = await describeCluster(clients.eks, 'demo');
    clusterIs({
      endpoint: 'https://moved.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: 'TkVXQ0E=' },
    });

    // Act
    const second = await describeCluster(clients.eks, 'demo');

    // Assess
    expect(first).toMatchObject({
      endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
      caData: 'LS0tLS1CRUdJTg==',
    });
    expect(second).toMatchObject({
      endpoint: 'https://moved.gr7.us-east-1.eks.amazonaws.com',
      caData: 'TkVXQ0E=',
    });
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });
});
