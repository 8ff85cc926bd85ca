import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentVolumeName } from '../../functions/lib/volume/names.ts';
import type { LocalStack } from '../../local/stack.ts';
import { createReadyVolume, fetchVolume } from '../support/api-volumes.ts';
import { expectContract } from '../support/contract.ts';
import {
  captureLifecycleEvents,
  eventually,
  kubectl,
  type LifecycleEvent,
  startTestStack,
} from '../support/local-stack-harness.ts';

type Finding = { resource: string; id: string; problem: string; repairable: boolean };
type Health = { state: string; findings: Finding[] };
type Volume = {
  id: string;
  status: string;
  updatedAt: string;
  steps: Record<string, { status: string }>;
  resources: { fileSystemId: string; accessPointId: string; mountTargetIds: string[] };
  health?: Health;
  repair?: { status: string; error?: { step: string; message: string } };
};

let stack: LocalStack;
let events: { drain: () => Promise<LifecycleEvent[]> };
const efs = new EFSClient({});

beforeAll(async () => {
  stack = await startTestStack();
  events = await captureLifecycleEvents();
});

afterAll(async () => {
  await stack?.stop();
});

/** The real AWS CLI against local mode's AWS endpoint, with local mode's credentials. */
async function awsCli(args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    'aws',
    ['--endpoint-url', stack.aws, '--region', 'us-east-1', '--output', 'json', ...args],
    { env: process.env },
  );
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

const getVolume = (id: string) => fetchVolume<Volume>(stack, id);
const readyVolume = (name: string) => createReadyVolume<Volume>(stack, name, 'Retain');

async function mountTargetsOf(fileSystemId: string) {
  const { MountTargets = [] } = await efs.send(
    new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
  );
  return MountTargets;
}

describe('POST /volumes/{id}/repair in local mode', () => {
  it('puts back a claim deleted with kubectl and a mount target deleted with the aws CLI: DRIFTED with two findings, then HEALTHY and the claim Bound to the same volume', async () => {
    // Prepare: a READY volume, then its claim and one mount target deleted by hand
    const volume = await readyVolume('repaired-data');
    const { fileSystemId, accessPointId, mountTargetIds } = volume.resources;
    const zonesBefore = (await mountTargetsOf(fileSystemId))
      .map((target) => target.AvailabilityZoneName)
      .sort();
    const [deletedTarget] = mountTargetIds;
    expect(deletedTarget).toBeDefined();
    const deletedClaim = await kubectl(stack, ['delete', 'pvc', 'repaired-data', '-n', 'team-a']);
    expect(deletedClaim.code).toBe(0);
    await awsCli(['efs', 'delete-mount-target', '--mount-target-id', deletedTarget ?? '']);

    // Act: check
    const checked = await expectContract(
      'checkVolume',
      await fetch(`${stack.api}/volumes/${volume.id}/check`, { method: 'POST' }),
    );

    // Assess: two repairable findings
    expect(checked.status).toBe(200);
    const health = checked.json as Health;
    expect(health.state).toBe('DRIFTED');
    expect(health.findings.map((finding) => finding.resource).sort()).toEqual([
      'MountTarget',
      'PersistentVolumeClaim',
    ]);
    expect(health.findings.every((finding) => finding.repairable)).toBe(true);

    // Act: repair
    const accepted = await expectContract(
      'repairVolume',
      await fetch(`${stack.api}/volumes/${volume.id}/repair`, { method: 'POST' }),
    );

    // Assess: accepted and REPAIRING, then READY again with the repair's outcome
    expect(accepted.status).toBe(202);
    expect((accepted.json as Volume).status).toBe('REPAIRING');
    const repaired = await eventually(async () => {
      const current = await getVolume(volume.id);
      return current.status === 'READY' ? current : undefined;
    }, 240_000);
    expect(repaired.repair?.error).toBeUndefined();
    expect({ repair: repaired.repair, health: repaired.health }).toMatchObject({
      repair: { status: 'SUCCEEDED' },
      health: { state: 'HEALTHY', findings: [] },
    });
    expect(repaired.resources.fileSystemId).toBe(fileSystemId);
    expect(repaired.resources.accessPointId).toBe(accessPointId);

    // Assess: a real kubectl sees the claim Bound to the same PersistentVolume and handle
    const claim = await kubectl(stack, [
      'get',
      'pvc',
      'repaired-data',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.status.phase} {.spec.volumeName}',
    ]);
    expect(claim).toMatchObject({
      code: 0,
      stdout: `Bound ${persistentVolumeName(volume.id)}`,
    });
    const handle = await kubectl(stack, [
      'get',
      'pv',
      persistentVolumeName(volume.id),
      '-o',
      'jsonpath={.spec.csi.volumeHandle}',
    ]);
    expect(handle.stdout).toBe(`${fileSystemId}::${accessPointId}`);

    // Assess: a mount target in every zone again, the deleted one replaced
    const after = await mountTargetsOf(fileSystemId);
    expect(after.map((target) => target.AvailabilityZoneName).sort()).toEqual(zonesBefore);
    expect(after.map((target) => target.MountTargetId)).not.toContain(deletedTarget);

    // Assess: announced
    const announced = await eventually(async () => {
      const received = await events.drain();
      return received.find(
        (event) =>
          event['detail-type'] === 'Volume Repaired' && event.detail.volumeId === volume.id,
      );
    });
    expect(announced.detail).toMatchObject({ status: 'READY', health: { state: 'HEALTHY' } });

    // Act / Assess: the repaired volume is READY: it deletes as any other
    const deleting = await expectContract(
      'deleteVolume',
      await fetch(`${stack.api}/volumes/${volume.id}?force=true`, { method: 'DELETE' }),
    );
    expect(deleting.status).toBe(202);
  }, 480_000);

  it('refuses with 422 to repair a volume whose access point was deleted, and changes nothing', async () => {
    // Prepare: a READY volume whose access point is deleted with the aws CLI
    const volume = await readyVolume('lost-data');
    const { fileSystemId, accessPointId } = volume.resources;
    await awsCli(['efs', 'delete-access-point', '--access-point-id', accessPointId]);
    const targetsBefore = await mountTargetsOf(fileSystemId);
    const claimBefore = await kubectl(stack, [
      'get',
      'pvc',
      'lost-data',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    expect(claimBefore.code, claimBefore.stderr).toBe(0);
    expect(claimBefore.stdout).toMatch(/^\d+$/);
    expect(targetsBefore.length).toBeGreaterThan(0);

    // Act
    const refused = await expectContract(
      'repairVolume',
      await fetch(`${stack.api}/volumes/${volume.id}/repair`, { method: 'POST' }),
    );

    // Assess: 422, naming the access point as not repairable
    expect(refused.status).toBe(422);
    const problem = refused.json as { type: string; detail: string; findings: Finding[] };
    expect(problem.type).toBe('https://efs-volumes.dev/problems/volume-not-repairable');
    expect(problem.findings).toEqual([
      expect.objectContaining({ resource: 'AccessPoint', id: accessPointId, repairable: false }),
    ]);
    expect(problem.detail).toContain('Nothing was changed');

    // Assess: nothing changed: the record, the mount targets, the claim
    const after = await getVolume(volume.id);
    expect(after.status).toBe('READY');
    expect(after.updatedAt).toBe(volume.updatedAt);
    expect(after.repair).toBeUndefined();
    expect(await mountTargetsOf(fileSystemId)).toEqual(targetsBefore);
    const claimAfter = await kubectl(stack, [
      'get',
      'pvc',
      'lost-data',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    expect(claimAfter.code, claimAfter.stderr).toBe(0);
    expect(claimAfter.stdout).toBe(claimBefore.stdout);
  }, 300_000);
});
