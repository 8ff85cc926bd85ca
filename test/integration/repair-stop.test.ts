// A repair stopped mid-way (StopExecution) or out of time cannot record its own end: the
// "Execution Status Change" event settles it (SettleExecution). The volume must be READY again
// with the repair FAILED, never stuck REPAIRING, and nothing it had deleted; a second repair
// then finishes the job. The settlement does not check the volume again (RecordRepairFailure
// does): the health it leaves is the one POST /repair recorded with REPAIRING, from the check
// the repair was decided on (the stop test), or a later one (the time-out test checks first).
// A repair that fails at a step does record its end: RecordRepairFailure, which the IAM
// evaluation also needs to see run (test/iam/iam-as-deployed.test.ts).
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentVolumeName } from '../../functions/lib/volume/names.ts';
import { executionArnOf } from '../../functions/lib/workflow/execution-status-change.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { TaskHandler } from '../../local/step-functions/local-workflow.ts';
import { createReadyVolume, fetchVolume } from '../support/api-volumes.ts';
import { clusterInventory, resourcesOf } from '../support/aws-inventory.ts';
import { expectContract } from '../support/contract.ts';
import {
  captureLifecycleEvents,
  eventually,
  kubectl,
  type LifecycleEvent,
  startTestStack,
} from '../support/local-stack-harness.ts';
import { documents, uniqueName } from '../support/workflow-harness.ts';

type Finding = { resource: string; id: string; problem: string; repairable: boolean };
type Health = { state: string; findings: Finding[] };
type Volume = {
  id: string;
  status: string;
  steps: Record<string, { status: string }>;
  resources: { fileSystemId: string; accessPointId: string; mountTargetIds: string[] };
  health?: Health;
  repair?: { status: string; error?: { step: string; name: string; message: string } };
};

/** The repair step the test holds: after the mount targets, before the claim is put back. */
const HELD_STEP = 'ApplyManifests';

/** A repair step of one volume, held until the test lets it go. */
interface HeldRepair {
  readonly reached: Promise<void>;
  release(): void;
}

const holds = new Map<string, { reached(): void; released: Promise<void> }>();

/** The volumes whose next repair fails at {@link HELD_STEP}, once, with an error never retried. */
const failingRepairs = new Set<string>();

/** Holds the next repair of `volumeId` when it reaches {@link HELD_STEP}, once. */
function holdRepair(volumeId: string): HeldRepair {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  holds.set(volumeId, { reached, released });
  return { reached: reachedPromise, release };
}

/**
 * Every Task passes through here. A held repair step waits, then fails without doing anything
 * (its execution has ended by then: nobody reads the result). Provisioning runs ApplyManifests
 * too; only a repair's is held, and only once, so the second repair runs through.
 */
function holding(functionName: string, handler: TaskHandler): TaskHandler {
  return async (input) => {
    const { state, execution } = input as {
      state?: { volumeId?: string };
      execution?: { operation?: string };
    };
    const volumeId = state?.volumeId ?? '';
    if (
      functionName === HELD_STEP &&
      execution?.operation === 'repair' &&
      failingRepairs.delete(volumeId)
    ) {
      // A failure no Retry names: the repair's Catch goes to RecordRepairFailure.
      throw Object.assign(new Error(`${functionName} failed for good (injected)`), {
        name: 'InjectedError',
      });
    }
    const hold = holds.get(volumeId);
    if (!hold || functionName !== HELD_STEP || execution?.operation !== 'repair') {
      return handler(input);
    }
    holds.delete(state?.volumeId ?? '');
    hold.reached();
    await hold.released;
    throw new Error(`${functionName} held by the test, its execution already stopped`);
  };
}

let stack: LocalStack;
let sfn: SFNClient;
let events: { drain: () => Promise<LifecycleEvent[]> };

beforeAll(async () => {
  stack = await startTestStack({
    run: { waitMilliseconds: 0, retryMilliseconds: 0, wrap: holding },
  });
  sfn = new SFNClient({ endpoint: stack.stepFunctions, region: 'us-east-1' });
  events = await captureLifecycleEvents();
});

afterAll(async () => {
  await stack?.stop();
});

const getVolume = (id: string) => fetchVolume<Volume>(stack, id);
const readyVolume = (name: string) => createReadyVolume<Volume>(stack, name, 'Retain');

/** The repair execution the record names: the API does not show it. */
async function repairExecutionArn(id: string): Promise<string> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: stack.tableName, Key: { id }, ConsistentRead: true }),
  );
  const name = (Item as { repairExecutionName?: string } | undefined)?.repairExecutionName;
  if (!name) throw new Error(`volume ${id} names no repair execution`);
  return executionArnOf(stack.stepFunctionsServer.arns['efs-volumes-repair'] ?? '', name);
}

async function repair(id: string) {
  return expectContract(
    'repairVolume',
    await fetch(`${stack.api}/volumes/${id}/repair`, { method: 'POST' }),
  );
}

async function claimOf(name: string) {
  return kubectl(stack, [
    'get',
    'pvc',
    name,
    '-n',
    'team-a',
    '-o',
    'jsonpath={.status.phase} {.spec.volumeName}',
  ]);
}

/**
 * A READY volume whose claim was deleted with kubectl; with `checked`, POST /check has
 * recorded it DRIFTED, otherwise no check has seen the deletion yet.
 */
async function driftedVolume(name: string, { checked }: { checked: boolean }) {
  const volume = await readyVolume(name);
  const deletedClaim = await kubectl(stack, ['delete', 'pvc', name, '-n', 'team-a']);
  expect(deletedClaim.code).toBe(0);
  if (checked) {
    const check = await fetch(`${stack.api}/volumes/${volume.id}/check`, { method: 'POST' });
    expect(((await check.json()) as Health).state).toBe('DRIFTED');
  } else {
    expect((await getVolume(volume.id)).health?.state).not.toBe('DRIFTED');
  }
  const built = resourcesOf(await clusterInventory(stack.clusterName), [volume.id]).sort();
  return { volume, built };
}

/**
 * Starts a repair of `id` that stops at {@link HELD_STEP}; resolves once it is there.
 */
async function repairHeld(id: string): Promise<HeldRepair & { executionArn: string }> {
  const held = holdRepair(id);
  const accepted = await repair(id);
  expect(accepted.status).toBe(202);
  expect((accepted.json as Volume).status).toBe('REPAIRING');
  await held.reached;
  return { ...held, executionArn: await repairExecutionArn(id) };
}

/** The volume once it has left REPAIRING. */
function settledVolume(id: string, timeoutMs = 60_000): Promise<Volume> {
  return eventually(async () => {
    const current = await getVolume(id);
    return current.status === 'REPAIRING' ? undefined : current;
  }, timeoutMs);
}

/**
 * The `Volume Repair Failed` event of `id`: the settlement's last act, so what it changes is
 * all changed by then (the record is READY a moment before).
 */
function repairFailedEvent(id: string): Promise<LifecycleEvent> {
  return eventually(async () =>
    (await events.drain()).find(
      (event) => event['detail-type'] === 'Volume Repair Failed' && event.detail.volumeId === id,
    ),
  );
}

/** Nothing the volume had is gone: the AWS resources of `built`, and its PersistentVolume. */
async function expectNothingDeleted(volume: Volume, built: string[]) {
  expect(resourcesOf(await clusterInventory(stack.clusterName), [volume.id]).sort()).toEqual(built);
  const handle = await kubectl(stack, [
    'get',
    'pv',
    persistentVolumeName(volume.id),
    '-o',
    'jsonpath={.spec.csi.volumeHandle}',
  ]);
  expect(handle).toMatchObject({
    code: 0,
    stdout: `${volume.resources.fileSystemId}::${volume.resources.accessPointId}`,
  });
}

/** A second repair is accepted and completes: HEALTHY, the claim Bound to the same volume. */
async function expectRepairCompletes(volume: Volume, name: string) {
  const again = await repair(volume.id);
  expect(again.status).toBe(202);
  const repaired = await eventually(async () => {
    const current = await getVolume(volume.id);
    return current.status === 'READY' ? current : undefined;
  }, 240_000);
  expect({ repair: repaired.repair, health: repaired.health }).toMatchObject({
    repair: { status: 'SUCCEEDED' },
    health: { state: 'HEALTHY', findings: [] },
  });
  expect(repaired.repair?.error).toBeUndefined();
  expect(await claimOf(name)).toMatchObject({
    code: 0,
    stdout: `Bound ${persistentVolumeName(volume.id)}`,
  });
}

describe('a repair that ends without recording its end', () => {
  it('stopped with StopExecution: the volume is READY with the repair FAILED naming the stop, nothing is deleted, and a second repair completes', async () => {
    // Prepare
    const name = uniqueName('stopped-repair');
    const { volume, built } = await driftedVolume(name, { checked: false });
    const held = await repairHeld(volume.id);

    // Act: stop it, as an operator would
    await sfn.send(
      new StopExecutionCommand({ executionArn: held.executionArn, cause: 'operator stop' }),
    );
    held.release();
    const settled = await settledVolume(volume.id);

    // Assess: READY, the repair FAILED by the stop, the health POST /repair found
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: held.executionArn }),
    );
    expect(described.status).toBe('ABORTED');
    expect(settled.status).toBe('READY');
    expect(settled.repair).toMatchObject({
      status: 'FAILED',
      error: {
        name: 'ExecutionAborted',
        message: expect.stringMatching(/repair execution .* was stopped: operator stop/),
      },
    });
    expect(settled.health).toMatchObject({
      state: 'DRIFTED',
      findings: [expect.objectContaining({ resource: 'PersistentVolumeClaim' })],
    });
    expect(settled.resources).toMatchObject({
      fileSystemId: volume.resources.fileSystemId,
      accessPointId: volume.resources.accessPointId,
    });
    expect((await repairFailedEvent(volume.id)).detail).toMatchObject({ status: 'READY' });
    await expectNothingDeleted(volume, built);

    // Act / Assess: a second repair, not held, puts the claim back
    await expectRepairCompletes(volume, name);
    await expectNothingDeleted(volume, built);
  }, 480_000);

  it('timed out: the volume is READY with the repair FAILED by States.Timeout, nothing is deleted, and a second repair completes', async () => {
    // Prepare: a repair held at its step
    const name = uniqueName('timed-out-repair');
    const { volume, built } = await driftedVolume(name, { checked: true });
    const held = await repairHeld(volume.id);

    // Act: its time limit ends it there (the local Step Functions' control, in place of
    // waiting out the ASL's TimeoutSeconds)
    expect(stack.stepFunctionsServer.expire(held.executionArn)).toBe(true);
    const settled = await settledVolume(volume.id);
    held.release();

    // Assess
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: held.executionArn }),
    );
    expect(described.status).toBe('TIMED_OUT');
    expect(settled.status).toBe('READY');
    expect(settled.repair).toMatchObject({
      status: 'FAILED',
      error: {
        name: 'States.Timeout',
        message: expect.stringMatching(/repair execution .* timed out/),
      },
    });
    expect((await repairFailedEvent(volume.id)).detail).toMatchObject({ status: 'READY' });
    await expectNothingDeleted(volume, built);

    // Act / Assess
    await expectRepairCompletes(volume, name);
  }, 480_000);
});

describe('a repair that fails at a step', () => {
  it('is ended by RecordRepairFailure, READY with the repair FAILED naming the step, nothing deleted, and a second repair completes', async () => {
    // Prepare
    const name = uniqueName('failed-repair');
    const { volume, built } = await driftedVolume(name, { checked: true });
    failingRepairs.add(volume.id);

    // Act
    const accepted = await repair(volume.id);
    expect(accepted.status).toBe(202);
    const settled = await settledVolume(volume.id);

    // Assess: the workflow recorded its own end, with the step and the error
    expect(failingRepairs.has(volume.id), 'the repair never reached the failing step').toBe(false);
    expect(settled.status).toBe('READY');
    expect(settled.repair).toMatchObject({
      status: 'FAILED',
      error: { step: 'ApplyManifests', name: 'InjectedError' },
    });
    expect(settled.health).toMatchObject({
      state: 'DRIFTED',
      findings: [expect.objectContaining({ resource: 'PersistentVolumeClaim' })],
    });
    expect((await repairFailedEvent(volume.id)).detail).toMatchObject({ status: 'READY' });
    await expectNothingDeleted(volume, built);

    // Act / Assess: a second repair puts the claim back
    await expectRepairCompletes(volume, name);
    await expectNothingDeleted(volume, built);
  }, 480_000);
});
