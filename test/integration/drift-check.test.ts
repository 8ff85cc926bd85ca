import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordedCalls } from '../../local/aws-calls/recorded-call.ts';
import type { HealthSchedule } from '../../local/health-schedule.ts';
import type { LocalStack } from '../../local/stack.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stack.ts';
import { createReadyVolume, fetchVolume } from '../support/api-volumes.ts';
import { expectContract } from '../support/contract.ts';
import {
  captureLifecycleEvents,
  eventually,
  kubectl,
  type LifecycleEvent,
  startTestStack,
} from '../support/local-stack-harness.ts';

type Health = {
  state: 'HEALTHY' | 'DRIFTED';
  checkedAt: string;
  findings: Array<{ resource: string; id: string; problem: string; repairable: boolean }>;
};
type Volume = {
  id: string;
  status: string;
  resources: { mountTargetIds?: string[] };
  health?: Health;
  size?: { meteredBytes: number; measuredAt: string; monthlyUsd?: number };
};

let stack: LocalStack;
/** The volume the schedule found drifted, deleted by the last test. */
let events: { drain: () => Promise<LifecycleEvent[]> };
const scheduleErrors: unknown[] = [];

beforeAll(async () => {
  // The schedule's own interval is an hour: the test runs it with its control (runNow), in
  // place of a check of every volume every second while it waits.
  stack = await startTestStack({
    healthCheckSeconds: 3600,
    onHealthCheckError: (error) => scheduleErrors.push(error),
  });
  events = await captureLifecycleEvents();
});

afterAll(async () => {
  await stack?.stop();
});

const getVolume = (id: string) => fetchVolume<Volume>(stack, id);

/** The stack's scheduled check, which the test runs with its control. */
function schedule(): HealthSchedule {
  if (!stack.healthSchedule) throw new Error('the stack started without its health schedule');
  return stack.healthSchedule;
}
const readyVolume = (name: string) => createReadyVolume<Volume>(stack, name, 'Delete');

/** The real aws CLI against the stack's moto, as an operator deleting by hand would. */
async function awsCli(args: string[]): Promise<void> {
  await promisify(execFile)('aws', [...args, '--endpoint-url', stack.aws, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_SESSION_TOKEN: '',
    },
    timeout: 60_000,
  });
}

async function listIds(health: 'HEALTHY' | 'DRIFTED'): Promise<string[]> {
  const answer = await expectContract(
    'listVolumes',
    await fetch(`${stack.api}/volumes?health=${health}&limit=100`),
  );
  return (answer.json as { items: Volume[] }).items.map((volume) => volume.id);
}

describe('drift detection in local mode', () => {
  it('finds a deleted claim and mount target on POST check, the schedule finds drift by itself, and each volume raises Volume Drifted once', async () => {
    // Prepare: two READY volumes, both found HEALTHY by the scheduled check
    const [checked, scheduled] = await Promise.all([
      readyVolume('drift-a'),
      readyVolume('drift-b'),
    ]);
    if (!checked || !scheduled) throw new Error('volumes not ready');
    await schedule().runNow();
    expect(scheduleErrors).toEqual([]);
    for (const volume of [checked, scheduled]) {
      expect((await getVolume(volume.id)).health?.state).toBe('HEALTHY');
    }
    expect(await listIds('HEALTHY')).toEqual(expect.arrayContaining([checked.id, scheduled.id]));
    const mountTargetId = checked.resources.mountTargetIds?.[0] ?? '';

    // Act: an operator deletes one volume's claim and one of its mount targets by hand, and
    // the other volume's claim
    const deletedClaim = await kubectl(stack, ['delete', 'pvc', 'drift-a', '-n', 'team-a']);
    expect(deletedClaim.code, deletedClaim.stderr).toBe(0);
    await awsCli(['efs', 'delete-mount-target', '--mount-target-id', mountTargetId]);
    const deletedOther = await kubectl(stack, ['delete', 'pvc', 'drift-b', '-n', 'team-a']);
    expect(deletedOther.code, deletedOther.stderr).toBe(0);
    const answer = await expectContract(
      'checkVolume',
      await fetch(`${stack.api}/volumes/${checked.id}/check`, { method: 'POST' }),
    );

    // Assess: the check answers DRIFTED with those two findings, both repairable
    expect(answer.status).toBe(200);
    const health = answer.json as Health;
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      {
        resource: 'MountTarget',
        id: expect.any(String),
        problem: expect.stringContaining(mountTargetId),
        repairable: true,
      },
      {
        resource: 'PersistentVolumeClaim',
        id: 'team-a/drift-a',
        problem: expect.stringMatching(/^PersistentVolumeClaim team-a\/drift-a no longer exists/),
        repairable: true,
      },
    ]);
    expect((await getVolume(checked.id)).health?.state).toBe('DRIFTED');

    // Assess: the schedule alone turns the other volume DRIFTED, and keeps both DRIFTED
    await schedule().runNow();
    const drifted = await getVolume(scheduled.id);
    expect(drifted.health?.state).toBe('DRIFTED');
    expect(drifted.health?.findings.map((finding) => finding.resource)).toEqual([
      'PersistentVolumeClaim',
    ]);
    await schedule().runNow();
    const later = await getVolume(checked.id);
    expect(later.health?.state).toBe('DRIFTED');
    expect(Date.parse(later.health?.checkedAt ?? '')).toBeGreaterThan(Date.parse(health.checkedAt));
    expect(await listIds('DRIFTED')).toEqual(expect.arrayContaining([checked.id, scheduled.id]));
    expect(await listIds('HEALTHY')).not.toContain(checked.id);

    // Assess: one Volume Drifted event per volume, with its findings
    const drifts = await eventually(async () => {
      const all = (await events.drain()).filter(
        (event) =>
          event['detail-type'] === 'Volume Drifted' &&
          [checked.id, scheduled.id].includes(String(event.detail.volumeId)),
      );
      return all.length >= 2 ? all : undefined;
    }, 30_000);
    expect(drifts.map((event) => event.detail.volumeId).sort()).toEqual(
      [checked.id, scheduled.id].sort(),
    );
    expect(
      drifts.find((event) => event.detail.volumeId === checked.id)?.detail.health,
    ).toMatchObject({
      state: 'DRIFTED',
    });
    expect(scheduleErrors).toEqual([]);
  }, 300_000);

  it('answers 409 for a volume that is no longer READY, and 404 for an unknown one', async () => {
    // Prepare: a volume of its own, being deleted
    const volume = await readyVolume('busy-check');
    const deleting = await fetch(`${stack.api}/volumes/${volume.id}`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);

    // Act
    const [notReady, unknown] = await Promise.all(
      [volume.id, 'vol-00000000000000000000'].map(async (id) =>
        expectContract(
          'checkVolume',
          await fetch(`${stack.api}/volumes/${id}/check`, { method: 'POST' }),
        ),
      ),
    );

    // Assess
    expect(notReady?.status).toBe(409);
    expect(notReady?.json).toMatchObject({ type: expect.stringMatching(/volume-busy$/) });
    expect(unknown?.status).toBe(404);
  });

  it('checks the READY volumes in CheckVolumeBatch invocations, through Lambda Invoke', async () => {
    // Prepare: a READY volume; the calls recorded so far
    const volume = await readyVolume('batched');
    const log = process.env.LOCAL_AWS_CALL_LOG ?? '';
    const before = parseRecordedCalls(readFileSync(log, 'utf8'), log).length;

    // Act
    await schedule().runNow();

    // Assess: CheckVolumes invoked the batch function, which read the volume's file system
    const calls = parseRecordedCalls(readFileSync(log, 'utf8'), log).slice(before);
    expect(
      calls.filter((call) => call.function === 'CheckVolumes' && call.service === 'lambda'),
    ).toEqual([
      expect.objectContaining({
        action: 'lambda:InvokeFunction',
        resources: ['arn:aws:lambda:us-east-1:123456789012:function:CheckVolumeBatch'],
      }),
    ]);
    const batchReads = calls.filter((call) => call.function === 'CheckVolumeBatch');
    expect(batchReads.map((call) => call.action)).toEqual(
      expect.arrayContaining([
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeAccessPoints',
        'dynamodb:UpdateItem',
      ]),
    );
    // CheckVolumes itself reads no file system: its batches do.
    expect(
      calls.filter(
        (call) => call.function === 'CheckVolumes' && call.service === 'elasticfilesystem',
      ),
    ).toEqual([]);
    // The check also recorded the metered size of the volume's own file system, priced.
    const checked = await getVolume(volume.id);
    expect(checked.health?.state).toBe('HEALTHY');
    // EFS meters an empty file system at 6 KiB (local/moto_efs.py), priced at $0.30 a GiB.
    expect(checked.size).toEqual({
      meteredBytes: 6144,
      measuredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      monthlyUsd: (6144 / 1024 ** 3) * 0.3,
    });
    expect(scheduleErrors).toEqual([]);
  });

  it('refuses a batch event that is not READY volume records, recording nothing', async () => {
    // Act: Lambda Invoke with another payload, as a caller other than CheckVolumes would
    const { localFunctions } = await import('../../local/lambda/local-functions.ts');
    const refused = await localFunctions()
      .invoke('CheckVolumeBatch', { records: [{ id: 'vol-1', status: 'DELETED' }] })
      .then(
        () => undefined,
        (error: Error) => error,
      );

    // Assess
    expect(refused?.name).toBe('TypeError');
    expect(refused?.message).toMatch(/READY volume records/);
  });
});
