// Issue 12 item 2, issue 19 item 9: every execution end settles its record, and cleans up by
// itself. An execution stopped mid-provision or timed out starts the deprovision workflow on
// what it left, so the volume ends FAILED with nothing left (ROLLBACK_FAILED with its leftovers
// listed only when that cleanup cannot finish); a POST whose StartExecution fails leaves no
// PENDING record; nothing waits for a person's DELETE.
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentVolumeName } from '../../functions/lib/volume/names.ts';
import { claimItemId } from '../../functions/lib/volume/record.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { TaskHandler } from '../../local/step-functions/local-workflow.ts';
import { clusterFileSystemCount } from '../support/aws-inventory.ts';
import {
  captureLifecycleEvents,
  eventually,
  json,
  startTestStack,
} from '../support/local-stack-harness.ts';
import { awsLeftovers, documents, uniqueName } from '../support/workflow-harness.ts';

type Volume = {
  id: string;
  status: string;
  error?: { step: string; name: string; message: string };
  rollbackError?: { step: string; name: string; message: string };
  leftovers?: Array<{ type: string; id: string }>;
};

/** A step held until the test lets it go: where an execution is when it is stopped. */
interface HeldStep {
  readonly step: string;
  readonly reached: Promise<void>;
  /** Lets the held invocation end as an invocation whose result nobody reads any more. */
  release(): void;
}

const holds = new Map<string, { step: string; reached(): void; released: Promise<void> }>();

/** Holds `step` of the volume named `name` when its execution reaches it. */
function holdStep(name: string, step: string): HeldStep {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  holds.set(name, { step, reached, released });
  return { step, reached: reachedPromise, release };
}

/** The claim name of the volume a step runs for: steps get ids only, the record holds the spec. */
async function claimNameOf(input: unknown): Promise<string> {
  const volumeId = (input as { state?: { volumeId?: string } }).state?.volumeId;
  if (!volumeId) return '';
  const { Item } = await documents.send(
    new GetCommand({ TableName: stack.tableName, Key: { id: volumeId }, ConsistentRead: true }),
  );
  return (Item as { spec?: { name?: string } } | undefined)?.spec?.name ?? '';
}

/** Every Task passes through here: a held step waits, then fails without doing anything. */
function holding(functionName: string, handler: TaskHandler): TaskHandler {
  return async (input) => {
    const hold = holds.size > 0 ? holds.get(await claimNameOf(input)) : undefined;
    if (hold?.step !== functionName) return handler(input);
    hold.reached();
    await hold.released;
    throw new Error(`${functionName} held by the test, its execution already ended`);
  };
}

let stack: LocalStack;
let sfn: SFNClient;
let lifecycle: Awaited<ReturnType<typeof captureLifecycleEvents>>;

beforeAll(async () => {
  stack = await startTestStack({
    run: { waitMilliseconds: 0, retryMilliseconds: 0, wrap: holding },
    // Faults are set per test; none at first.
    awsFaults: { faults: [] },
  });
  sfn = new SFNClient({ endpoint: stack.stepFunctions, region: 'us-east-1' });
  lifecycle = await captureLifecycleEvents();
});

afterAll(async () => {
  for (const hold of holds.values()) hold.reached();
  await stack?.stop();
});

async function post(name: string, headers: Record<string, string> = {}) {
  return fetch(
    `${stack.api}/volumes`,
    json(
      { clusterName: stack.clusterName, namespace: 'team-a', name, reclaimPolicy: 'Delete' },
      headers,
    ),
  );
}

async function volume(id: string): Promise<Volume> {
  return (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume;
}

async function until(id: string, statuses: readonly string[], timeoutMs = 60_000) {
  return eventually(async () => {
    const current = await volume(id);
    return statuses.includes(current.status) ? current : undefined;
  }, timeoutMs);
}

function executionArn(id: string): string {
  return `${stack.stepFunctionsServer.arns['efs-volumes-provision']?.replace(':stateMachine:', ':execution:')}:${id}`;
}

async function claimHolder(name: string): Promise<string | undefined> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.tableName,
      Key: { id: claimItemId({ clusterName: stack.clusterName, namespace: 'team-a', name }) },
      ConsistentRead: true,
    }),
  );
  return (Item as { volumeId?: string } | undefined)?.volumeId;
}

/**
 * Whether the claim is free within a few seconds: a volume's claim is released just after
 * its FAILED or DELETED status is written (record.ts `setStatus`, `settleExecution`), so a
 * claim is never free while its volume is live; a read right after the status may still find
 * it held.
 */
async function claimReleased(name: string): Promise<boolean> {
  return eventually(
    async () => ((await claimHolder(name)) === undefined ? true : undefined),
    10_000,
  ).catch(() => false);
}

/** The volume's PV and claim in the Kubernetes emulator (the workflow labels both). */
function kubernetesObjectsOf(id: string, name: string) {
  return stack.emulator
    .objects()
    .filter(
      (object) =>
        (object.kind === 'PersistentVolume' && object.metadata.name === persistentVolumeName(id)) ||
        (object.kind === 'PersistentVolumeClaim' &&
          object.metadata.namespace === 'team-a' &&
          object.metadata.name === name),
    );
}

/**
 * The deprovision executions that cleaned up after the volume's provisioning, and how they
 * ended, once none runs: the record is settled by the cleanup's last step, before it ends.
 */
async function cleanupsOf(id: string) {
  return eventually(async () => {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stack.stepFunctionsServer.arns['efs-volumes-deprovision'],
      }),
    );
    const cleanups = executions
      .filter((execution) => execution.name?.startsWith(`${id}-cleanup-`))
      .map((execution) => ({ name: execution.name, status: execution.status }));
    return cleanups.some((cleanup) => cleanup.status === 'RUNNING') ? undefined : cleanups;
  }, 10_000);
}

async function lifecycleEventsOf(id: string) {
  return (await lifecycle.drain()).filter((event) => event.detail.volumeId === id);
}

describe('an execution that ends without settling its record', () => {
  it('stopped mid-provision: the cleanup it starts deletes everything, and the volume ends FAILED', async () => {
    // Prepare: a volume held at CheckClaimBound, after its AWS resources and its PV and claim
    const name = uniqueName('stopped');
    const held = holdStep(name, 'CheckClaimBound');
    const created = await post(name, { 'Idempotency-Key': uniqueName('stop-key') });
    const { id } = (await created.json()) as Volume;
    await held.reached;
    const builtInAws = await awsLeftovers(id);
    const builtInKubernetes = kubernetesObjectsOf(id, name);

    // Act: stop it, as an operator would
    await sfn.send(
      new StopExecutionCommand({ executionArn: executionArn(id), cause: 'operator stop' }),
    );
    held.release();
    const settled = await until(id, ['FAILED', 'ROLLBACK_FAILED']);

    // Assess: it had built in AWS and Kubernetes; nothing of it is left, nobody sent DELETE
    expect(builtInAws.map((resource) => resource.split('/')[0]).sort()).toEqual(
      expect.arrayContaining(['AccessPoint', 'FileSystem', 'MountTarget', 'SecurityGroup']),
    );
    expect(builtInKubernetes.map((object) => object.kind).sort()).toEqual([
      'PersistentVolume',
      'PersistentVolumeClaim',
    ]);
    expect(settled.status).toBe('FAILED');
    // The held invocation never reached the record: the last step recorded is the one before.
    expect(settled.error).toMatchObject({ step: 'ApplyManifests', name: 'ExecutionAborted' });
    expect(settled.error?.message).toMatch(/was stopped: operator stop/);
    expect(settled.rollbackError).toBeUndefined();
    expect(settled.leftovers ?? []).toEqual([]);
    expect(await awsLeftovers(id)).toEqual([]);
    expect(kubernetesObjectsOf(id, name)).toEqual([]);
    expect(await claimReleased(name)).toBe(true);
    const events = await eventually(async () => {
      const found = await lifecycleEventsOf(id);
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(events.map((event) => [event['detail-type'], event.detail.status])).toEqual([
      ['Volume Provisioning Failed', 'FAILED'],
    ]);
    expect(
      (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(id) }))).status,
    ).toBe('ABORTED');
    expect(await cleanupsOf(id)).toEqual([
      { name: expect.stringMatching(new RegExp(`^${id}-cleanup-`)), status: 'SUCCEEDED' },
    ]);
  }, 180_000);

  it('timed out: the cleanup it starts deletes everything, and the volume ends FAILED with States.Timeout', async () => {
    // Prepare: held at CheckMountTargets, after its file system, mount targets and access point
    const name = uniqueName('timeout');
    const held = holdStep(name, 'CheckMountTargets');
    const created = await post(name, { 'Idempotency-Key': uniqueName('timeout-key') });
    const { id } = (await created.json()) as Volume;
    await held.reached;
    const built = await awsLeftovers(id);

    // Act: its time limit ends it there (the local Step Functions' control, in place of
    // waiting out the ASL's TimeoutSeconds)
    expect(stack.stepFunctionsServer.expire(executionArn(id))).toBe(true);
    held.release();
    const settled = await until(id, ['ROLLBACK_FAILED', 'FAILED']);

    // Assess
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArn(id) }),
    );
    expect(described.status).toBe('TIMED_OUT');
    expect(built.map((resource) => resource.split('/')[0])).toEqual(
      expect.arrayContaining(['AccessPoint', 'FileSystem', 'MountTarget', 'SecurityGroup']),
    );
    expect(settled.status).toBe('FAILED');
    expect(settled.error).toMatchObject({ step: 'CreateAccessPoint', name: 'States.Timeout' });
    expect(settled.leftovers ?? []).toEqual([]);
    expect(await awsLeftovers(id)).toEqual([]);
    expect(kubernetesObjectsOf(id, name)).toEqual([]);
    expect(await claimReleased(name)).toBe(true);
    const events = await eventually(async () => {
      const found = await lifecycleEventsOf(id);
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(events.map((event) => [event['detail-type'], event.detail.status])).toEqual([
      ['Volume Provisioning Failed', 'FAILED'],
    ]);
    expect(await cleanupsOf(id)).toEqual([
      { name: expect.stringMatching(new RegExp(`^${id}-cleanup-`)), status: 'SUCCEEDED' },
    ]);
  }, 180_000);

  it('stopped, with a cleanup that cannot finish: ROLLBACK_FAILED listing what is left, and DELETE cleans it up', async () => {
    // Prepare: held at CheckMountTargets; EFS then refuses every DeleteFileSystem
    const name = uniqueName('stuck-cleanup');
    const held = holdStep(name, 'CheckMountTargets');
    const created = await post(name, { 'Idempotency-Key': uniqueName('stuck-key') });
    const { id } = (await created.json()) as Volume;
    await held.reached;
    stack.faultProxy?.setFaults([
      {
        kind: 'internal-error',
        service: 'elasticfilesystem',
        operation: 'DELETE /2015-02-01/file-systems/*',
      },
    ]);

    // Act: stop it
    let settled: Volume;
    try {
      await sfn.send(
        new StopExecutionCommand({ executionArn: executionArn(id), cause: 'operator stop' }),
      );
      held.release();
      settled = await until(id, ['FAILED', 'ROLLBACK_FAILED'], 120_000);
    } finally {
      stack.faultProxy?.setFaults([]);
    }

    // Assess: the cleanup ran (access point and mount targets gone) and could not delete the
    // file system: it and the group are listed, and so is why
    const left = await awsLeftovers(id);
    expect(settled.status).toBe('ROLLBACK_FAILED');
    expect(settled.error).toMatchObject({ step: 'CreateAccessPoint', name: 'ExecutionAborted' });
    expect(settled.rollbackError).toMatchObject({ step: 'DeleteFileSystem' });
    expect(left.map((resource) => resource.split('/')[0]).sort()).toEqual([
      'FileSystem',
      'SecurityGroup',
    ]);
    expect(settled.leftovers?.map((leftover) => `${leftover.type}/${leftover.id}`).sort()).toEqual(
      left.sort(),
    );
    expect(await claimHolder(name)).toBe(id);
    const events = await eventually(async () => {
      const found = await lifecycleEventsOf(id);
      return found.length > 0 ? found : undefined;
    }, 10_000);
    expect(events.map((event) => [event['detail-type'], event.detail.status])).toEqual([
      ['Volume Provisioning Failed', 'ROLLBACK_FAILED'],
    ]);
    expect(await cleanupsOf(id)).toEqual([
      { name: expect.stringMatching(new RegExp(`^${id}-cleanup-`)), status: 'FAILED' },
    ]);

    // Act: DELETE, once EFS answers again
    const deleting = await fetch(`${stack.api}/volumes/${id}`, { method: 'DELETE' });

    // Assess: deleted, nothing left
    expect(deleting.status).toBe(202);
    await until(id, ['DELETED']);
    expect(await awsLeftovers(id)).toEqual([]);
    expect(await claimReleased(name)).toBe(true);
  }, 240_000);
});

describe('a POST whose StartExecution fails', () => {
  it('answers 503, keeps no PENDING record or claim, builds nothing, and a retry with the key provisions', async () => {
    // Prepare: Step Functions refuses every StartExecution
    const name = uniqueName('unstarted');
    const key = uniqueName('unstarted-key');
    const before = await clusterFileSystemCount(stack.clusterName);
    stack.faultProxy?.setFaults([
      { kind: 'internal-error', service: 'states', operation: 'StartExecution' },
    ]);

    // Act
    let refused: Response;
    try {
      refused = await post(name, { 'Idempotency-Key': key });
    } finally {
      stack.faultProxy?.setFaults([]);
    }

    // Assess: refused, and nothing of it remains
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      detail: expect.stringMatching(/nothing was built/),
    });
    const listed = (await (
      await fetch(
        `${stack.api}/volumes?clusterName=${stack.clusterName}&namespace=team-a&status=PENDING`,
      )
    ).json()) as { items: Volume[] };
    expect(listed.items).toEqual([]);
    expect(await claimReleased(name)).toBe(true);
    expect(await clusterFileSystemCount(stack.clusterName)).toBe(before);

    // Act: the retry the 503 asks for
    const retried = await post(name, { 'Idempotency-Key': key });

    // Assess
    expect(retried.status).toBe(202);
    const { id } = (await retried.json()) as Volume;
    await until(id, ['READY']);
    expect(await claimHolder(name)).toBe(id);
  });

  it('without an idempotency key, records the volume FAILED with the reason and frees its claim', async () => {
    // Prepare
    const name = uniqueName('unstarted-nokey');
    stack.faultProxy?.setFaults([
      { kind: 'internal-error', service: 'states', operation: 'StartExecution' },
    ]);

    // Act
    let refused: Response;
    try {
      refused = await post(name);
    } finally {
      stack.faultProxy?.setFaults([]);
    }

    // Assess
    expect(refused.status).toBe(503);
    const listed = (await (
      await fetch(`${stack.api}/volumes?clusterName=${stack.clusterName}&namespace=team-a`)
    ).json()) as { items: Array<Volume & { name: string }> };
    const recorded = listed.items.find((item) => item.name === name);
    expect(recorded).toMatchObject({ status: 'FAILED', error: { step: 'StartExecution' } });
    expect(await claimReleased(name)).toBe(true);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({}));
    expect(executions.map((execution) => execution.name)).not.toContain(recorded?.id);
  });
});
