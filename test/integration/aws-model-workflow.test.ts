// The provisioning workflow through the API, with the AWS model between the functions and
// moto: file systems and mount targets take their time, deletes linger, limits and eventual
// consistency bite. The time scale is small (0.02: a 200 s mount target takes 4 s). The
// fault-at-every-step cases (a volume each, rolled back with its lingering deletes) run side by
// side.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsModel } from '../../local/aws-model/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { TaskHandler } from '../../local/step-functions/local-workflow.ts';
import { clusterInventory, countsPerVolume, resourcesOf } from '../support/aws-inventory.ts';
import {
  eventually,
  json,
  startModelStack,
  statesEntered as statesOf,
} from '../support/local-stack-harness.ts';
import { documents, PROVISION_STEPS } from '../support/workflow-harness.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly error?: { step: string; name: string; message: string };
  readonly leftovers?: unknown[];
}

let stack: LocalStack;
let model: AwsModel;
/** The function each volume's provisioning fails at, before its work, by the volume's name. */
const failingBefore = new Map<string, string>();
/**
 * The function each volume's provisioning fails after, by the volume's name: it does its work,
 * then fails, as a Lambda timing out after its side effect.
 */
const failingAfterWork = new Map<string, string>();

/** The volume names of the executions' volume ids (steps get ids; the record holds the name). */
const volumeNames = new Map<string, Promise<string>>();

function nameOfVolume(input: unknown): Promise<string> {
  const volumeId = (input as { state?: { volumeId?: string } }).state?.volumeId ?? '';
  let name = volumeNames.get(volumeId);
  if (!name) {
    name = documents
      .send(
        new GetCommand({ TableName: stack.tableName, Key: { id: volumeId }, ConsistentRead: true }),
      )
      .then(({ Item }) => (Item as { spec?: { name?: string } } | undefined)?.spec?.name ?? '');
    volumeNames.set(volumeId, name);
  }
  return name;
}

beforeAll(async () => {
  ({ stack, model } = await startModelStack(
    {
      seed: 11,
      timeScale: 0.02,
      // Long enough (4 s here) that the first check, right after the creation, finds them
      // creating even on a loaded machine, where a step can take half a second to start.
      durations: { mountTargetCreating: 200 },
      consistencySeconds: 0,
      rateLimits: {},
    },
    {
      // Retry pauses, Wait states and the check's look-ahead all keep the model's time scale.
      run: {
        wrap:
          (name: string, handler: TaskHandler): TaskHandler =>
          async (input) => {
            const volume =
              failingAfterWork.size + failingBefore.size > 0 ? await nameOfVolume(input) : '';
            if (failingAfterWork.get(volume) === name) {
              await handler(input);
              throw Object.assign(new Error(`fault injected after ${name} did its work`), {
                name: 'InjectedFault',
              });
            }
            if (failingBefore.get(volume) !== name) return handler(input);
            throw Object.assign(new Error(`${name} failed (injected)`), { name: 'InjectedError' });
          },
      },
    },
  ));
});

afterAll(async () => {
  await stack?.stop();
});

async function provisionVolume(
  name: string,
  until: readonly string[] = ['READY', 'FAILED', 'ROLLBACK_FAILED'],
): Promise<Volume> {
  const response = await fetch(
    `${stack.api}/volumes`,
    json({ clusterName: stack.clusterName, namespace: 'team-a', name }),
  );
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as Volume;
  // Generous: on a loaded 2-core machine each step can take seconds to start.
  return eventually(async () => {
    const volume = (await (await fetch(`${stack.api}/volumes/${id}`)).json()) as Volume;
    return until.includes(volume.status) ? volume : undefined;
  }, 90_000);
}

/** The states the provisioning execution entered, in order. */
const statesEntered = (volumeId: string) => statesOf(stack, volumeId);

function refusals(code: string): number {
  return Object.entries(model.stats().refused)
    .filter(([key]) => key.endsWith(` ${code}`))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe('provisioning under the AWS model', () => {
  it('ends FAILED with the limit named in the record, and nothing left, when the file system limit is reached', async () => {
    // Prepare
    model.configure({ limits: { fileSystemsPerAccount: 0 } });

    // Act
    const volume = await provisionVolume('over-limit').finally(() =>
      model.configure({ limits: { fileSystemsPerAccount: 1000 } }),
    );

    // Assess
    expect(volume).toMatchObject({
      status: 'FAILED',
      error: {
        step: 'CreateFileSystem',
        name: 'FileSystemLimitExceeded',
        message: expect.stringContaining('maximum number of file systems'),
      },
    });
    expect(resourcesOf(await clusterInventory(stack.clusterName), [volume.id])).toEqual([]);
  });
});

// These two wait out slow mount targets (one their creation, the other their deletion) more
// than they compute: they run side by side, each on a volume of its own. (The limit above and
// the consistency window below apply to every call, so those run alone.)
describe.concurrent('provisioning under the AWS model, waiting out slow mount targets', () => {
  it('is READY after the mount-target wait loop ran more than once', async ({ expect }) => {
    // Prepare: mount targets slow enough (12 s here) that the first check, right after their
    // creation, finds them creating even when each step takes seconds on a loaded machine
    model.configure({ durations: { mountTargetCreating: 600 } });

    // Act
    const volume = await provisionVolume('paced').finally(() =>
      model.configure({ durations: { mountTargetCreating: 200 } }),
    );

    // Assess: several looks at the mount targets, one resource of each kind (three zones)
    expect(volume.status).toBe('READY');
    const checks = (await statesEntered(volume.id)).filter((name) => name === 'CheckMountTargets');
    expect(checks.length).toBeGreaterThan(1);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [1],
      mountTargets: [3],
      accessPoints: [1],
      securityGroups: [1],
    });
  });

  it('rolls back after the mount targets exist by waiting for them to be gone before deleting the file system and the security group', async ({
    expect,
  }) => {
    // Prepare: deletes that linger (6 s here) past the first check even on a loaded machine
    failingBefore.set('rolled-back', 'ApplyManifests');
    model.configure({ durations: { mountTargetDeleting: 300 } });
    const inUseBefore = refusals('FileSystemInUse') + refusals('DependencyViolation');

    // Act
    const volume = await provisionVolume('rolled-back').finally(() => {
      failingBefore.delete('rolled-back');
      model.configure({ durations: { mountTargetDeleting: { min: 45, max: 90 } } });
    });

    // Assess: FAILED with the cause, the deletion waited out, nothing left in moto
    expect(volume).toMatchObject({
      status: 'FAILED',
      error: { step: 'ApplyManifests', name: 'InjectedError' },
    });
    const states = await statesEntered(volume.id);
    const deletedChecks = states.flatMap((name, index) =>
      name === 'CheckMountTargetsDeleted' ? [index] : [],
    );
    expect(deletedChecks.length).toBeGreaterThan(1);
    expect(states.indexOf('DeleteFileSystem')).toBeGreaterThan(deletedChecks.at(-1) ?? 0);
    expect(states.indexOf('DeleteSecurityGroup')).toBeGreaterThan(
      states.indexOf('DeleteFileSystem'),
    );
    expect(refusals('FileSystemInUse') + refusals('DependencyViolation')).toBe(inUseBefore);
    expect(resourcesOf(await clusterInventory(stack.clusterName), [volume.id])).toEqual([]);
  });
});

// After the side-by-side cases, so the functions run warm: the window must cover the time
// from a Create to the next call, which a cold execution environment on a loaded machine can
// stretch past 0.6 s (the window was 30 AWS seconds, and once saw no miss).
describe('provisioning under the AWS model, with eventual consistency', () => {
  it('creates each resource once when a Describe right after a Create misses it', async () => {
    // Prepare: for 60 AWS seconds (1.2 s here) a new resource may be missing from a Describe
    // (at 150 the security group step's retries run out first: it ends FAILED)
    model.configure({ consistencySeconds: 60 });
    const missesBefore = refusals('FileSystemNotFound');

    // Act
    const volume = await provisionVolume('consistent').finally(() =>
      model.configure({ consistencySeconds: 0 }),
    );

    // Assess: the misses happened, and did not make a second anything
    expect(volume.status, JSON.stringify(volume.error)).toBe('READY');
    expect(refusals('FileSystemNotFound')).toBeGreaterThan(missesBefore);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [1],
      mountTargets: [3],
      accessPoints: [1],
      securityGroups: [1],
    });
  });
});

// Each of these waits out the model's lingering deletes more than it computes: they run side by
// side, each on a volume of its own.
describe.concurrent('a failure after a step did its work', () => {
  it.for(PROVISION_STEPS)(
    'after %s: rolls back everything and ends FAILED with that step and cause',
    async (step, { expect }) => {
      // Prepare
      const name = `fault-${step.toLowerCase()}`;
      failingAfterWork.set(name, step);

      // Act
      // (after CompleteProvisioning the record is READY for a moment: wait for the rollback)
      const volume = await provisionVolume(name, ['FAILED', 'ROLLBACK_FAILED']);

      // Assess: FAILED with the step, nothing left in moto nor in the Kubernetes emulator
      expect(volume).toMatchObject({
        status: 'FAILED',
        error: {
          step,
          name: 'InjectedFault',
          message: `fault injected after ${step} did its work`,
        },
      });
      expect(resourcesOf(await clusterInventory(stack.clusterName), [volume.id])).toEqual([]);
      const labelled = stack.emulator
        .objects()
        .filter((object) => Object.values(object.metadata?.labels ?? {}).includes(volume.id));
      expect(labelled).toEqual([]);
    },
  );
});
