// verifyMount end to end (issue 23 item 2): READY waits for a Job whose pod mounted the claim,
// and a pod that cannot mount (its zone's mount target deleted under it) fails the volume at
// VerifyMount with what the pod reported, and the rollback leaves nothing. The Job's rules, one
// by one, are in test/unit/efs-mount-rules.test.ts and test/unit/kube-emulator-jobs.test.ts;
// the step's logic in test/unit/verify-mount-step.test.ts. One stack, three workflow runs.
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  DeleteMountTargetCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { DescribeFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountCheckJobName } from '../../functions/lib/kube/mount-check.ts';
import { fargateSubnetOf } from '../../local/efs-mounts.ts';
import type { KubeObject } from '../../local/kube-emulator/index.ts';
import type { LocalStack } from '../../local/stack.ts';
import { fetchVolume, provisionedVolume } from '../support/api-volumes.ts';
import { clusterInventory, countsPerVolume, motoEc2, motoEfs } from '../support/aws-inventory.ts';
import { expectContract } from '../support/contract.ts';
import {
  eventually,
  json,
  startModelStack,
  statesEntered,
} from '../support/local-stack-harness.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly spec: { readonly verifyMount?: boolean };
  readonly resources: { readonly fileSystemId?: string };
  readonly steps: Readonly<
    Record<string, { readonly status: string; readonly startedAt?: string }>
  >;
  readonly error?: { readonly step: string; readonly name: string; readonly message: string };
  readonly repair?: { readonly status: string; readonly error?: { readonly message: string } };
}

let stack: LocalStack;
const dnsDelay = process.env.MOUNT_TARGET_DNS_DELAY_SECONDS;

beforeAll(async () => {
  // The workflow waits out the DNS delay AWS documents, which the model enforces on mounts.
  process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '90';
  ({ stack } = await startModelStack(
    // 50 AWS seconds a real second: a mount target's 60–90 s is about 1.5 s, the Job's
    // 180 s deadline 3.6 s.
    { seed: 23, timeScale: 0.02, consistencySeconds: 0, rateLimits: {} },
    // A pod's start (100 AWS s, 2 s here) leaves the test time to act between the Job's
    // creation and its pod's mount.
    { podStartSeconds: 100 },
  ));
});

afterAll(async () => {
  process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = dnsDelay;
  await stack?.stop();
});

/** What a volume's mount check made: its Job, the Job's pods and their events. */
function mountCheckObjects(volumeId: string): KubeObject[] {
  const job = mountCheckJobName(volumeId);
  return stack.emulator.objects().filter((object) => object.metadata.name.startsWith(job));
}

/**
 * The cluster's shared storage objects: the CSIDriver and StorageClass every volume uses, kept
 * when one volume rolls back. The first volume to apply them is named in their labels; with
 * the tests side by side, that may be any of them.
 */
const SHARED_KINDS = new Set(['CSIDriver', 'StorageClass']);

/** The emulator's objects that a volume's mount check made or that name the volume. */
function objectsOf(volumeId: string): KubeObject[] {
  const job = mountCheckJobName(volumeId);
  return stack.emulator
    .objects()
    .filter((object) => !SHARED_KINDS.has(object.kind))
    .filter(
      (object) =>
        object.metadata.name.startsWith(job) ||
        object.metadata.labels?.['efs-volumes.dev/volume-id'] === volumeId ||
        JSON.stringify(object).includes(volumeId),
    );
}

// Each test has a volume of its own; they run side by side, as their waits are the model's.
describe.concurrent('verifyMount', () => {
  it('makes READY wait for a Job whose pod mounted the claim, and removes the Job', async () => {
    // Act
    const ready = await provisionedVolume<Volume>(stack, 'proven', { verifyMount: true }, 90_000);

    // Assess: READY after VerifyMount looked at the Job until it succeeded
    expect(ready.status).toBe('READY');
    expect(ready.spec.verifyMount).toBe(true);
    expect(ready.steps.VerifyMount?.status).toBe('SUCCEEDED');
    const states = await statesEntered(stack, ready.id);
    expect(states.indexOf('VerifyMount')).toBeGreaterThan(states.indexOf('ClaimBound?'));
    expect(states.indexOf('VerifyMount')).toBeLessThan(states.indexOf('CompleteProvisioning'));
    expect(states).toContain('WaitForMountCheck');
    // ...and the Job, its pod and their events are gone
    expect(mountCheckObjects(ready.id)).toEqual([]);
  });

  it('lets a repair prove the mount again (repair?verifyMount=true)', async () => {
    // Prepare
    const ready = await provisionedVolume<Volume>(stack, 'reproven', { verifyMount: true }, 90_000);

    // Act
    const answer = await expectContract(
      'repairVolume',
      await fetch(`${stack.api}/volumes/${ready.id}/repair?verifyMount=true`, { method: 'POST' }),
    );
    const repaired = await eventually(async () => {
      const volume = await fetchVolume<Volume>(stack, ready.id);
      return volume.status === 'READY' && volume.repair?.status !== 'RUNNING' ? volume : undefined;
    }, 90_000);

    // Assess
    expect(answer.status).toBe(202);
    expect(repaired.repair?.status).toBe('SUCCEEDED');
    expect(Date.parse(repaired.steps.VerifyMount?.startedAt ?? '')).toBeGreaterThan(
      Date.parse(ready.steps.VerifyMount?.startedAt ?? ''),
    );
    expect(mountCheckObjects(ready.id)).toEqual([]);
  });

  it("fails at VerifyMount with the pod's message when the mount target of its zone is deleted, and rolls back with nothing left", async () => {
    // Prepare: a volume whose mount is verified; wait for its Job's pod
    const created = await expectContract(
      'createVolume',
      await fetch(
        `${stack.api}/volumes`,
        json({
          clusterName: stack.clusterName,
          namespace: 'team-a',
          name: 'unmountable',
          verifyMount: true,
        }),
      ),
    );
    const { id } = created.json as { id: string };
    const pod = await eventually(
      async () =>
        stack.emulator
          .objects()
          .find(
            (object) =>
              object.kind === 'Pod' &&
              object.metadata.labels?.['job-name'] === mountCheckJobName(id),
          ),
      60_000,
    );
    // ...the zone Fargate put it in: a subnet of the profile that selects team-a
    const eks = new EKSClient({ endpoint: motoEndpoint(), region: 'us-east-1' });
    const { fargateProfile } = await eks.send(
      new DescribeFargateProfileCommand({
        clusterName: stack.clusterName,
        fargateProfileName: 'teams',
      }),
    );
    const subnetId = fargateSubnetOf(pod.metadata.name, fargateProfile?.subnets ?? []);
    const { Subnets = [] } = await motoEc2.send(
      new DescribeSubnetsCommand({ SubnetIds: [subnetId] }),
    );
    const zone = Subnets[0]?.AvailabilityZone;
    const { fileSystemId } = (await fetchVolume<Volume>(stack, id)).resources;
    const { MountTargets = [] } = await motoEfs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    const inZone = MountTargets.find((target) => target.AvailabilityZoneName === zone);

    // Act: the mount target of the pod's zone goes before the pod mounts (through the AWS
    // model, which then lists it `deleting` for a while, as EFS does)
    const efs = new EFSClient({ endpoint: stack.faultProxy?.endpoint, region: 'us-east-1' });
    await efs.send(new DeleteMountTargetCommand({ MountTargetId: inZone?.MountTargetId }));
    const failed = await eventually(async () => {
      const volume = await fetchVolume<Volume>(stack, id);
      return volume.status === 'FAILED' || volume.status === 'ROLLBACK_FAILED' ? volume : undefined;
    }, 90_000);

    // Assess: the pod's own words (efs-utils could not resolve the name; the Job's deadline)
    expect(inZone).toBeDefined();
    expect(failed.status, JSON.stringify(failed)).toBe('FAILED');
    expect(failed.error).toMatchObject({
      step: 'VerifyMount',
      name: 'MountVerificationFailedError',
    });
    expect(failed.error?.message).toContain('DeadlineExceeded');
    expect(failed.error?.message).toContain('FailedMount');
    expect(failed.error?.message).toContain(
      `Failed to resolve "${fileSystemId}.efs.us-east-1.amazonaws.com"`,
    );
    // ...and nothing is left: no AWS resource, no Kubernetes object (Job, pod, events, claim, PV)
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [id])).toEqual({
      fileSystems: [0],
      mountTargets: [0],
      accessPoints: [0],
      securityGroups: [0],
    });
    expect(objectsOf(id)).toEqual([]);
  });
});
