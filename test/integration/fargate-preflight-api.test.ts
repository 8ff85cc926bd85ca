import { DescribeSubnetsCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeAwsCalls } from '../../local/lambda/aws-call-recorder.ts';
import type { LocalStack } from '../../local/stack.ts';
import { expectContract } from '../support/contract.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

const moto = { endpoint: motoEndpoint(), region: 'us-east-1' };
let stack: LocalStack;

beforeAll(async () => {
  // team-c and team-d: namespaces only the preflight reuse test reads (a passed preflight is
  // reused for its namespace, so the other tests' namespaces stay unread by it).
  stack = await startTestStack({ namespaces: ['team-a', 'team-b', 'team-c', 'team-d'] });
});

afterAll(async () => {
  await stack?.stop();
});

function post(body: Record<string, unknown>) {
  return fetch(`${stack.api}/volumes`, json({ clusterName: stack.clusterName, ...body }));
}

async function clusterVpc(): Promise<string> {
  const { cluster } = await new EKSClient(moto).send(
    new DescribeClusterCommand({ name: stack.clusterName }),
  );
  const { Subnets = [] } = await new EC2Client(moto).send(
    new DescribeSubnetsCommand({ SubnetIds: cluster?.resourcesVpcConfig?.subnetIds ?? [] }),
  );
  return Subnets[0]?.VpcId ?? '';
}

describe('the Fargate preflight through the API', () => {
  it('plans a namespace the seeded profile selects with that profile, its zones and no warning', async () => {
    // Act
    const response = await expectContract(
      'createVolume',
      await post({ namespace: 'team-a', name: 'planned', dryRun: true }),
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      fargate: {
        profiles: [{ name: 'teams', podLabels: {} }],
        availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      },
      warnings: [],
    });
  });

  it('warns in the plan and in the record when no Fargate profile selects the namespace', async () => {
    // Act
    const plan = await expectContract(
      'createVolume',
      await post({ namespace: 'default', name: 'on-nodes', dryRun: true }),
    );
    const created = await expectContract(
      'createVolume',
      await post({ namespace: 'default', name: 'on-nodes' }),
    );
    const { id } = created.json as { id: string };
    const record = await eventually(async () => {
      const volume = (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as {
        status: string;
        warnings?: string[];
      };
      return volume.status === 'READY' ? volume : undefined;
    });

    // Assess
    const warning = expect.stringContaining('no Fargate profile selects namespace default');
    expect((plan.json as { warnings: string[] }).warnings).toEqual([warning]);
    expect((created.json as { warnings?: string[] }).warnings).toEqual([warning]);
    expect(record.warnings).toEqual([warning]);
  });

  it('refuses with 422 vpc-dns-disabled while the cluster VPC has DNS hostnames off', async () => {
    // Prepare
    const ec2 = new EC2Client(moto);
    const VpcId = await clusterVpc();
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: false } }));

    // Act: one POST to a namespace that exists, one to a namespace that does not (the
    // Kubernetes checks run beside the Fargate ones, and refuse first)
    const [refused, missing] = await Promise.all([
      post({ namespace: 'team-b', name: 'no-dns' }),
      post({ namespace: 'team-nowhere', name: 'no-dns' }),
    ]).finally(() =>
      ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } })),
    );

    // Assess
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      type: 'https://efs-volumes.dev/problems/namespace-not-found',
    });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      type: 'https://efs-volumes.dev/problems/vpc-dns-disabled',
      detail: expect.stringContaining('enableDnsHostnames'),
    });
  });

  it('reuses a passed preflight for its namespace (PREFLIGHT_CACHE_SECONDS), never a refusal, and checks Kubernetes every time', async () => {
    // Prepare
    const ec2 = new EC2Client(moto);
    const VpcId = await clusterVpc();
    /** The EKS and EC2 calls createVolume makes for one POST, with its answer. */
    const clusterReads = async (body: Record<string, unknown>) => {
      const timing = timeAwsCalls();
      const response = await post(body);
      const reads = timing
        .stop()
        .filter(({ functionName }) => functionName === 'createVolume')
        .map(({ operation }) => operation)
        .filter((operation) => /^(eks|ec2):/.test(operation));
      return { status: response.status, body: await response.json(), reads };
    };

    // Act: two dry runs for one namespace, one after the other (one execution environment)
    const first = await clusterReads({ namespace: 'team-d', name: 'reuse-1', dryRun: true });
    const second = await clusterReads({ namespace: 'team-d', name: 'reuse-2', dryRun: true });
    // Act: the Kubernetes check of a reused preflight still runs (and fails here)
    stack.emulator.injectFault({ pathIncludes: 'namespaces/team-d', status: 503, times: 5 });
    const kubernetesDown = await clusterReads({
      namespace: 'team-d',
      name: 'reuse-3',
      dryRun: true,
    });
    stack.emulator.clearFaults();
    // Act: a refusal (DNS off) is not kept: the next request reads AWS again and passes
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: false } }));
    const refused = await clusterReads({ namespace: 'team-c', name: 'after-fix', dryRun: true });
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } }));
    const fixed = await clusterReads({ namespace: 'team-c', name: 'after-fix', dryRun: true });

    // Assess: the first read the cluster, profiles, subnets and VPC; the second none of them,
    // with the same plan
    expect(first.status).toBe(200);
    expect(first.reads).toEqual(
      expect.arrayContaining([
        'eks:DescribeCluster',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcAttribute',
      ]),
    );
    expect(second.status).toBe(200);
    expect(second.reads).toEqual([]);
    expect((second.body as { fargate: unknown }).fargate).toEqual(
      (first.body as { fargate: unknown }).fargate,
    );
    expect(kubernetesDown.status).toBeGreaterThanOrEqual(500);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      type: 'https://efs-volumes.dev/problems/vpc-dns-disabled',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.reads).toContain('ec2:DescribeVpcAttribute');
  });
});
