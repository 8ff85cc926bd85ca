// The warm pool through the bundles: the scheduled check (CheckVolumes) makes ready file
// systems for a cluster that keeps a pool; a plain request takes one (plan and record say so)
// and only its access point and manifests are made; concurrent requests never share a member;
// the next check refills the pool; a deleted volume's file system never goes back; a member
// that drifted is discarded and replaced.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_TAG, type PoolMember, type PoolStore } from '../../functions/lib/volume/pool.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import type { AwsModel } from '../../local/aws-model/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import { fetchVolume, provisionedVolume } from '../support/api-volumes.ts';
import {
  eventually,
  json,
  startModelStack,
  startTestStack,
  statesEntered,
} from '../support/local-stack-harness.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly fileSystemSource?: string;
  readonly resources: { fileSystemId?: string; securityGroupId?: string };
  readonly steps: Record<string, { status: string }>;
}

const efs = new EFSClient({});
let stack: LocalStack;
let pool: PoolStore;
const checkErrors: unknown[] = [];

beforeAll(async () => {
  const clusterName = `pool-${Math.random().toString(16).slice(2, 8)}`;
  stack = await startTestStack({
    clusterName,
    warmPool: { [clusterName]: 2 },
    // The schedule exists but never ticks by itself: the tests run it with runNow().
    healthCheckSeconds: 3600,
    onHealthCheckError: (error) => checkErrors.push(error),
  });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  pool = new VolumeRecordStore(documents, stack.tableName).pool();
});

afterAll(async () => {
  await stack?.stop();
});

/** One scheduled check, as the schedule runs it; its failure fails the test. */
async function scheduledCheck(): Promise<void> {
  checkErrors.length = 0;
  await stack.healthSchedule?.runNow();
  expect(checkErrors).toEqual([]);
}

async function available(): Promise<PoolMember[]> {
  return pool.list(stack.clusterName, 'AVAILABLE');
}

async function tagsOf(fileSystemId: string) {
  const { FileSystems = [] } = await efs.send(
    new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
  );
  return Object.fromEntries((FileSystems[0]?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
}

describe('the warm pool', () => {
  it('is filled by the scheduled check with ready file systems, policy and mount targets', async () => {
    // Act
    await scheduledCheck();

    // Assess
    const members = await available();
    expect(members).toHaveLength(2);
    for (const member of members) {
      const tags = await tagsOf(member.fileSystemId ?? '');
      expect(tags[POOL_TAG]).toBe(stack.clusterName);
      expect(tags['efs-volumes:volume-id']).toBe(member.id);
      const { MountTargets = [] } = await efs.send(
        new DescribeMountTargetsCommand({ FileSystemId: member.fileSystemId }),
      );
      expect(MountTargets.length).toBeGreaterThan(0);
      expect(MountTargets.every((target) => target.LifeCycleState === 'available')).toBe(true);
      expect(member.mountTargetsCreatedAt).toBeDefined();
    }
  });

  it('gives a plain request a member: the plan and the record say pool, READY on its file system', async () => {
    // Prepare
    await scheduledCheck();
    const members = await available();
    expect(members.length).toBe(2);
    const poolFileSystems = members.map((member) => member.fileSystemId);

    // Act
    const planned = await fetch(
      `${stack.api}/volumes`,
      json({ clusterName: stack.clusterName, namespace: 'team-a', name: 'planned', dryRun: true }),
    );
    const plan = (await planned.json()) as { fileSystemSource: string; poolFileSystemId?: string };
    const volume = await provisionedVolume<Volume>(stack, 'from-pool');

    // Assess
    expect(plan.fileSystemSource).toBe('pool');
    expect(poolFileSystems).toContain(plan.poolFileSystemId);
    expect(volume.status).toBe('READY');
    expect(volume.fileSystemSource).toBe('pool');
    expect(poolFileSystems).toContain(volume.resources.fileSystemId);
    expect(members.map((member) => member.id)).toContain(volume.id);
    const tags = await tagsOf(volume.resources.fileSystemId ?? '');
    expect(tags[POOL_TAG]).toBeUndefined();
    expect(tags.Name).toBe(`${stack.clusterName}/team-a/from-pool`);
    expect(tags['efs-volumes:reclaim-policy']).toBe('Retain');
    expect(await available()).toHaveLength(1);
    // The drift check finds it whole, as any volume (its group and file system are its own now)
    await scheduledCheck();
    const checked = await fetchVolume<Volume & { health?: { state: string } }>(stack, volume.id);
    expect(checked.health?.state).toBe('HEALTHY');
  });

  it('gives 10 concurrent requests 2 members and 8 new file systems, none twice, then refills', async () => {
    // Prepare
    await scheduledCheck();
    const members = await available();
    expect(members).toHaveLength(2);

    // Act
    const volumes = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        provisionedVolume<Volume>(stack, `concurrent-${index}`, {}, 120_000),
      ),
    );
    await scheduledCheck();

    // Assess
    expect(volumes.map((volume) => volume.status)).toEqual(Array(10).fill('READY'));
    const sources = volumes.map((volume) => volume.fileSystemSource).sort();
    expect(sources).toEqual([...Array(8).fill('new'), 'pool', 'pool']);
    const fileSystems = volumes.map((volume) => volume.resources.fileSystemId);
    expect(new Set(fileSystems).size).toBe(10);
    const pooled = volumes.filter((volume) => volume.fileSystemSource === 'pool');
    expect(pooled.map((volume) => volume.resources.fileSystemId).sort()).toEqual(
      members.map((member) => member.fileSystemId).sort(),
    );
    const refilled = await available();
    expect(refilled).toHaveLength(2);
    expect(refilled.some((member) => fileSystems.includes(member.fileSystemId))).toBe(false);
  });

  it('never takes back a deleted volume’s file system, and replaces a member that drifted', async () => {
    // Prepare: a pool volume deleted, and a member that lost a mount target
    await scheduledCheck();
    const volume = await provisionedVolume<Volume>(stack, 'deleted-pool-volume', {
      reclaimPolicy: 'Delete',
    });
    expect(volume.fileSystemSource).toBe('pool');
    const response = await fetch(`${stack.api}/volumes/${volume.id}`, { method: 'DELETE' });
    expect(response.status).toBe(202);
    await eventually(async () => {
      const now = await fetchVolume<Volume>(stack, volume.id);
      return now.status === 'DELETED' ? now : undefined;
    }, 60_000);
    await scheduledCheck();
    const [drifted] = await available();
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: drifted?.fileSystemId }),
    );
    await efs.send(new DeleteMountTargetCommand({ MountTargetId: MountTargets[0]?.MountTargetId }));

    // Act
    await scheduledCheck();
    await eventually(async () => {
      await scheduledCheck();
      return (await pool.get(drifted?.id ?? '')) ? undefined : true;
    }, 60_000);

    // Assess: the deleted volume's file system is gone, never a member; the drifted member is
    // gone with its resources, and the pool is full again
    const members = await available();
    expect(members).toHaveLength(2);
    expect(members.map((member) => member.fileSystemId)).not.toContain(
      volume.resources.fileSystemId,
    );
    expect(members.map((member) => member.id)).not.toContain(drifted?.id);
    const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({}));
    const ids = FileSystems.map((fileSystem) => fileSystem.FileSystemId);
    expect(ids).not.toContain(volume.resources.fileSystemId);
    expect(ids).not.toContain(drifted?.fileSystemId);
  });

  it('drains the pool of a cluster taken out of WARM_POOL, deleting what its members made', async () => {
    // Prepare: a full pool, then the stack configured for another cluster only
    await scheduledCheck();
    const members = await available();
    expect(members).toHaveLength(2);
    const configured = process.env.WARM_POOL;
    process.env.WARM_POOL = JSON.stringify({ 'another-cluster': 0 });

    // Act
    try {
      await eventually(async () => {
        await scheduledCheck();
        return (await pool.list(stack.clusterName)).length === 0 ? true : undefined;
      }, 60_000);
    } finally {
      process.env.WARM_POOL = configured;
    }

    // Assess: every member's file system went with it
    const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({}));
    const left = FileSystems.map((fileSystem) => fileSystem.FileSystemId);
    for (const member of members) expect(left).not.toContain(member.fileSystemId);
  });

  it('answers a replayed Idempotency-Key with the pool volume it made', async () => {
    // Prepare
    await scheduledCheck();
    const body = { clusterName: stack.clusterName, namespace: 'team-b', name: 'keyed' };
    const headers = { 'Idempotency-Key': 'pool-key-1' };

    // Act
    const first = await fetch(`${stack.api}/volumes`, json(body, headers));
    const second = await fetch(`${stack.api}/volumes`, json(body, headers));

    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const [a, b] = [(await first.json()) as Volume, (await second.json()) as Volume];
    expect(a.fileSystemSource).toBe('pool');
    expect(b.id).toBe(a.id);
  });
});

describe('the warm pool under the AWS model', () => {
  let modelled: LocalStack;
  let model: AwsModel;
  const errors: unknown[] = [];
  const dnsDelay = process.env.MOUNT_TARGET_DNS_DELAY_SECONDS;

  beforeAll(async () => {
    // AWS's DNS delay, short (1 s, counted on the Lambda's clock from the mount targets'
    // creation): a member's are older than that when taken; a new file system's are not.
    process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '1';
    const clusterName = `pool-model-${Math.random().toString(16).slice(2, 8)}`;
    ({ stack: modelled, model } = await startModelStack(
      // EFS's creation times 20 times faster, and EC2's consistency window of 8 AWS s (0.4 s
      // here): the calls right after CreateSecurityGroup are refused, a retry's not.
      {
        seed: 5,
        timeScale: 0.05,
        consistencySeconds: 8,
        durations: { mountTargetCreating: 40 },
        rateLimits: {},
      },
      {
        clusterName,
        warmPool: { [clusterName]: 1 },
        healthCheckSeconds: 3600,
        onHealthCheckError: (error) => errors.push(error),
      },
    ));
  });

  afterAll(async () => {
    await modelled?.stop();
    process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = dnsDelay;
  });

  it('fills despite EC2 not knowing a new group at once, and its request waits for no mount target', async () => {
    // Prepare: the pool filled (its group meets InvalidGroup.NotFound right after creation)
    await modelled.healthSchedule?.runNow();
    expect(errors).toEqual([]);
    const refused = Object.entries(model.stats().refused)
      .filter(([key]) => key.endsWith(' InvalidGroup.NotFound'))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(refused).toBeGreaterThan(0);
    const members = await new VolumeRecordStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({})),
      modelled.tableName,
    )
      .pool()
      .list(modelled.clusterName, 'AVAILABLE');
    expect(members).toHaveLength(1);

    // Act
    const pooled = await provisionedVolume<Volume>(modelled, 'model-pooled', {}, 120_000);

    // Assess: straight from the mount targets to the manifests: one check, no Wait state (a
    // new file system's volume waits for its mount targets and their DNS names: see
    // aws-model-workflow.test.ts)
    expect([pooled.status, pooled.fileSystemSource]).toEqual(['READY', 'pool']);
    const states = await statesEntered(modelled, pooled.id);
    expect(states.filter((state) => state.startsWith('WaitFor'))).toEqual([]);
    expect(states.filter((state) => state === 'CheckMountTargets')).toHaveLength(1);
    expect(states).toContain('ApplyManifests');
  });
});
