// Quotas through the local HTTP API (issue 19 item 6): live volumes per namespace and per
// caller (429 quota-exceeded), and the subnet address reserve of the preflight (422).
import {
  CreateSubnetCidrReservationCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { expectContract } from '../support/contract.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

const moto = { endpoint: motoEndpoint(), region: 'us-east-1' };
const ACCOUNT = '123456789012';
const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const principal = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;

const QUOTA_VARIABLES = ['MAX_VOLUMES_PER_NAMESPACE', 'MAX_VOLUMES_PER_CALLER'] as const;
const previous = Object.fromEntries(QUOTA_VARIABLES.map((name) => [name, process.env[name]]));
let stack: LocalStack;

type Volume = { id: string; status: string };
type Problem = {
  type: string;
  status: number;
  detail: string;
  quota?: { scope: string; subject: string; limit: number; usage: number };
};

beforeAll(async () => {
  // Each function reads the process environment at every invocation, as the stack sets it.
  process.env.MAX_VOLUMES_PER_NAMESPACE = '2';
  process.env.MAX_VOLUMES_PER_CALLER = '3';
  stack = await startTestStack({ namespaces: ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'] });
});

afterAll(async () => {
  await stack?.stop();
  for (const name of QUOTA_VARIABLES) {
    if (previous[name] === undefined) delete process.env[name];
    else process.env[name] = previous[name];
  }
});

async function post(caller: string, body: Record<string, unknown>) {
  const response = await fetch(
    `${stack.api}/volumes`,
    json({ clusterName: stack.clusterName, ...body }, { 'X-Local-Caller': caller }),
  );
  return expectContract('createVolume', response);
}

async function volumesIn(namespace: string): Promise<Volume[]> {
  const response = await fetch(
    `${stack.api}/volumes?clusterName=${stack.clusterName}&namespace=${namespace}&limit=100`,
  );
  return ((await response.json()) as { items: Volume[] }).items;
}

async function fileSystemCount(): Promise<number> {
  const { FileSystems = [] } = await new EFSClient(moto).send(new DescribeFileSystemsCommand({}));
  return FileSystems.length;
}

async function statusOf(id: string): Promise<string> {
  return ((await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume).status;
}

async function until(id: string, status: string): Promise<void> {
  await eventually(async () => {
    const now = await statusOf(id);
    if (['FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'].includes(now) && now !== status) {
      throw new Error(`volume ${id} ended ${now}`);
    }
    return now === status ? true : undefined;
  }, 60_000);
}

describe('quotas through the API', () => {
  it('refuses a third live volume in a namespace with 429 naming the limit and usage, creates nothing, and admits it again after a delete', async () => {
    // Prepare: two callers fill team-a's limit of 2
    const alice = session('team-a-alice');
    const bob = session('team-a-bob');
    const carol = session('team-a-carol');
    const first = await post(alice, { namespace: 'team-a', name: 'first' });
    const second = await post(bob, { namespace: 'team-a', name: 'second' });
    expect([first.status, second.status]).toEqual([202, 202]);
    const firstId = (first.json as Volume).id;
    await until(firstId, 'READY');
    await until((second.json as Volume).id, 'READY');
    const fileSystemsBefore = await fileSystemCount();

    // Act
    const refused = await post(carol, { namespace: 'team-a', name: 'third' });
    const refusedPlan = await post(carol, { namespace: 'team-a', name: 'third', dryRun: true });

    // Assess: refused with the usage, and nothing of the third exists
    const expected = {
      type: 'https://efs-volumes.dev/problems/quota-exceeded',
      status: 429,
      quota: { scope: 'namespace', subject: `${stack.clusterName}/team-a`, limit: 2, usage: 2 },
    };
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject(expected);
    expect((refused.json as Problem).detail).toContain('MAX_VOLUMES_PER_NAMESPACE');
    expect(refusedPlan.status).toBe(429);
    expect(refusedPlan.json).toMatchObject(expected);
    expect((await volumesIn('team-a')).map((volume) => volume.id).sort()).toEqual(
      [firstId, (second.json as Volume).id].sort(),
    );
    expect(await fileSystemCount()).toBe(fileSystemsBefore);

    // Act: a deleted volume frees its place
    const deleting = await fetch(`${stack.api}/volumes/${firstId}?force=true`, {
      method: 'DELETE',
      headers: { 'X-Local-Caller': alice },
    });
    expect(deleting.status).toBe(202);
    await until(firstId, 'DELETED');
    const plan = await post(carol, { namespace: 'team-a', name: 'third', dryRun: true });
    const admitted = await post(carol, { namespace: 'team-a', name: 'third' });

    // Assess
    expect(plan.status).toBe(200);
    expect(plan.json).toMatchObject({
      quotas: {
        volumes: [
          { scope: 'namespace', subject: `${stack.clusterName}/team-a`, limit: 2, usage: 1 },
          { scope: 'caller', subject: principal('team-a-carol'), limit: 3, usage: 0 },
        ],
        mountTargetSubnets: expect.arrayContaining([
          expect.objectContaining({ availabilityZone: 'us-east-1a', reserve: 16 }),
        ]),
      },
    });
    expect(admitted.status).toBe(202);
  });

  it('refuses a caller its fourth live volume across namespaces with 429 naming the caller limit', async () => {
    // Prepare: one volume in each of three namespaces, still provisioning (they count from PENDING)
    const dave = session('team-d-dave');
    const daves: string[] = [];
    for (const namespace of ['team-b', 'team-c', 'team-d']) {
      const created = await post(dave, { namespace, name: 'daves' });
      expect(created.status).toBe(202);
      daves.push((created.json as Volume).id);
    }

    // Act
    const refused = await post(dave, { namespace: 'team-b', name: 'daves-fourth' });

    // Assess
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({
      type: 'https://efs-volumes.dev/problems/quota-exceeded',
      quota: { scope: 'caller', subject: principal('team-d-dave'), limit: 3, usage: 3 },
    });
    expect(
      (await volumesIn('team-b')).filter((volume) => volume.status !== 'DELETED'),
    ).toHaveLength(1);
    // Nothing left provisioning for the next test to see.
    for (const id of daves) await until(id, 'READY');
  });

  it('refuses with 422 subnet-address-reserve a volume whose mount target would leave a cluster subnet below the reserve', async () => {
    // Prepare: a prefix reservation takes half of zone b's subnet; the reserve is then set to
    // exactly its free addresses, so its mount target would leave one too few
    const ec2 = new EC2Client(moto);
    const { cluster } = await new EKSClient(moto).send(
      new DescribeClusterCommand({ name: stack.clusterName }),
    );
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: cluster?.resourcesVpcConfig?.subnetIds ?? [] }),
    );
    const zoneB = Subnets.find((subnet) => subnet.AvailabilityZone === 'us-east-1b');
    const [base = '', bits = ''] = (zoneB?.CidrBlock ?? '').split('/');
    await ec2.send(
      new CreateSubnetCidrReservationCommand({
        SubnetId: zoneB?.SubnetId,
        Cidr: `${base}/${Number(bits) + 1}`,
        ReservationType: 'prefix',
      }),
    );
    const { Subnets: [nearlyFull] = [] } = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: [zoneB?.SubnetId ?? ''] }),
    );
    const free = nearlyFull?.AvailableIpAddressCount ?? 0;
    expect(free).toBeLessThan((zoneB?.AvailableIpAddressCount ?? 0) - 1000);
    const fileSystemsBefore = await fileSystemCount();

    // Act
    process.env.SUBNET_ADDRESS_RESERVE = String(free);
    const refused = await post(session('team-e-erin'), {
      namespace: 'team-e',
      name: 'nearly-full',
    }).finally(() => {
      delete process.env.SUBNET_ADDRESS_RESERVE;
    });

    // Assess
    expect(refused.status).toBe(422);
    const problem = refused.json as Problem;
    expect(problem.type).toBe('https://efs-volumes.dev/problems/subnet-address-reserve');
    expect(problem.detail).toContain(`${zoneB?.SubnetId} (us-east-1b) ${free - 1} free`);
    expect(problem.detail).toContain(`fewer than the ${free}`);
    expect(problem.detail).not.toContain('us-east-1a');
    expect(
      (await volumesIn('team-e')).filter((volume) => volume.status !== 'DELETED'),
    ).toHaveLength(0);
    expect(await fileSystemCount()).toBe(fileSystemsBefore);
  });
});
