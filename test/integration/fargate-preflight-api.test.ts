import { DescribeSubnetsCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { expectContract } from '../support/contract.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

const moto = { endpoint: motoEndpoint(), region: 'us-east-1' };
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
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
});
