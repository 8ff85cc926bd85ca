import { randomBytes } from 'node:crypto';
import { DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultProxy, FaultProxyStats, FaultRule } from '../../local/fault-proxy.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import {
  clusterInventory,
  countsPerVolume,
  motoEfs,
  resourcesOf,
  strayResources,
} from '../support/aws-inventory.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';
import { statusCounts, VolumeClient } from '../support/volume-client.ts';

const SEED = 20_250_601;
/** Volumes provisioned at once under throttling. */
const CONCURRENT = 24;

let stack: LocalStack;
let proxy: FaultProxy;

beforeAll(async () => {
  // 34 volumes in one namespace: a test of faults under load, not of quotas (quotas-api is).
  process.env.MAX_VOLUMES_PER_NAMESPACE = '1000';
  const suffix = randomBytes(3).toString('hex');
  stack = await startLocalStack({
    apiPort: 0,
    motoEndpoint: motoEndpoint(),
    clusterName: `faults-${suffix}`,
    tableName: `volumes-faults-${suffix}`,
    run: { waitMilliseconds: 0, retryMilliseconds: 0 },
    awsFaults: { seed: SEED },
  });
  if (!stack.faultProxy) throw new Error('the stack started without its fault proxy');
  proxy = stack.faultProxy;
});

afterAll(async () => {
  await stack?.stop();
  delete process.env.MAX_VOLUMES_PER_NAMESPACE;
});

function difference(
  now: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(now)
      .map(([key, count]): [string, number] => [key, count - (before[key] ?? 0)])
      .filter(([, count]) => count > 0),
  );
}

/** What was injected since `before`: by kind, and by `<service> <operation> <kind>`. */
function injectedSince(before: FaultProxyStats) {
  const now = proxy.stats();
  return {
    byKind: difference(now.injected, before.injected),
    byCall: difference(now.injectedByCall, before.injectedByCall),
  };
}

/** Creates the volumes concurrently, as a client retrying 503s, and waits for every workflow. */
async function provisionConcurrently(client: VolumeClient, prefix: string, count: number) {
  const accepted = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      client.create(
        {
          clusterName: stack.clusterName,
          namespace: 'team-a',
          name: `${prefix}-${index}`,
          reclaimPolicy: 'Delete',
        },
        `${prefix}-${index}`,
      ),
    ),
  );
  await stack.stepFunctionsServer.idle();
  return accepted.map((volume) => volume.id);
}

const CREATES: ReadonlyArray<readonly [string, string]> = [
  ['ec2', 'CreateSecurityGroup'],
  ['elasticfilesystem', 'POST /2015-02-01/file-systems'],
  ['elasticfilesystem', 'POST /2015-02-01/mount-targets'],
  ['elasticfilesystem', 'POST /2015-02-01/access-points'],
];

describe('provisioning through an AWS that throttles, fails and drops connections', () => {
  // 24 at once: six times the execution environments local Lambda gives a function (4), so
  // invocations queue as they would throttle; the throughput at 50 is the bench's (npm run bench).
  it('brings 24 concurrent volumes to READY with 20% of AWS calls throttled, one of each resource', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'throttling', rate: 0.2 }]);
    const before = proxy.stats();
    const client = new VolumeClient(stack.api);

    // Act
    const ids = await provisionConcurrently(client, 'throttled', CONCURRENT);
    const injected = injectedSince(before);
    proxy.clear();

    const volumes = (await client.list(stack.clusterName)).filter((volume) =>
      ids.includes(volume.id),
    );
    const byCreationToken = await Promise.all(
      ids.map(async (id) => {
        const { FileSystems = [] } = await motoEfs.send(
          new DescribeFileSystemsCommand({ CreationToken: id }),
        );
        return FileSystems.length;
      }),
    );
    const inventory = await clusterInventory(stack.clusterName);
    const leaked = strayResources(inventory, ids);
    console.info(
      `throttling 20%: faults injected per kind ${JSON.stringify(injected.byKind)}; ` +
        `volumes completed ${statusCounts(volumes).READY ?? 0}/${CONCURRENT} READY; ` +
        `API 503s retried by the client ${client.unavailable}; resources leaked ${leaked.length}`,
    );

    // Assess: every volume READY, though hundreds of calls were throttled
    expect(new Set(ids).size).toBe(CONCURRENT);
    expect(statusCounts(volumes)).toEqual({ READY: CONCURRENT });
    expect(injected.byKind.throttling).toBeGreaterThan(100);

    // Assess: one file system per volume by its CreationToken, one of everything else, no strays
    expect(byCreationToken).toEqual(ids.map(() => 1));
    const counts = countsPerVolume(inventory, ids);
    expect(counts.fileSystems).toEqual(ids.map(() => 1));
    expect(counts.accessPoints).toEqual(ids.map(() => 1));
    expect(counts.securityGroups).toEqual(ids.map(() => 1));
    expect(counts.mountTargets).toEqual(ids.map(() => 3));
    expect(leaked).toEqual([]);
  }, 300_000);

  it('keeps one resource of each kind per volume through 5xx, resets and answers lost after the create', async () => {
    // Prepare: 5% each of 500, 503 and reset connections on every call, and the answer of
    // every create lost on its first call and on 20% of the others
    const faults: FaultRule[] = [
      ...CREATES.flatMap(([service, operation]): FaultRule[] => [
        { kind: 'response-lost', service, operation, calls: [1] },
        { kind: 'response-lost', service, operation, rate: 0.2 },
      ]),
      { kind: 'internal-error', rate: 0.05 },
      { kind: 'service-unavailable', rate: 0.05 },
      { kind: 'connection-reset', rate: 0.05 },
    ];
    proxy.setFaults(faults);
    const before = proxy.stats();
    const client = new VolumeClient(stack.api);

    // Act: provision
    const ids = await provisionConcurrently(client, 'flaky', 10);
    const provisioned = (await client.list(stack.clusterName)).filter((volume) =>
      ids.includes(volume.id),
    );
    const inventory = await clusterInventory(stack.clusterName);

    // Act: delete them all, still under the same faults
    await Promise.all(ids.map((id) => client.delete(id)));
    await stack.stepFunctionsServer.idle();
    const injected = injectedSince(before);
    proxy.clear();
    const all = await client.list(stack.clusterName);
    const deleted = all.filter((volume) => ids.includes(volume.id));
    const after = await clusterInventory(stack.clusterName);
    const live = all.filter((volume) => !ids.includes(volume.id)).map((volume) => volume.id);
    const left = [...resourcesOf(after, ids), ...strayResources(after, live)];
    console.info(
      `5xx and drops: faults injected per kind ${JSON.stringify(injected.byKind)}; ` +
        `volumes completed ${statusCounts(provisioned).READY ?? 0}/10 READY, ` +
        `${statusCounts(deleted).DELETED ?? 0}/10 DELETED; ` +
        `API 503s retried by the client ${client.unavailable}; resources leaked ${left.length}`,
    );

    // Assess: READY with exactly one of each resource, though every create's answer was lost
    const failures = provisioned
      .filter((volume) => volume.status !== 'READY')
      .map((volume) => ({ id: volume.id, status: volume.status, error: volume.error }));
    expect(statusCounts(provisioned), JSON.stringify(failures)).toEqual({ READY: 10 });
    const counts = countsPerVolume(inventory, ids);
    expect(counts.fileSystems).toEqual(ids.map(() => 1));
    expect(counts.accessPoints).toEqual(ids.map(() => 1));
    expect(counts.securityGroups).toEqual(ids.map(() => 1));
    expect(counts.mountTargets).toEqual(ids.map(() => 3));
    for (const [service, operation] of CREATES) {
      expect(injected.byCall[`${service} ${operation} response-lost`], operation).toBeGreaterThan(
        0,
      );
    }
    expect(injected.byKind).toMatchObject({
      'internal-error': expect.any(Number),
      'service-unavailable': expect.any(Number),
      'connection-reset': expect.any(Number),
    });

    // Assess: all deleted, and nothing of theirs left in moto
    expect(statusCounts(deleted)).toEqual({ DELETED: 10 });
    expect(left).toEqual([]);
  }, 300_000);
});
