// Mount targets usually turn available in 60–90 s, but users report some taking over ten
// minutes (the Terraform AWS provider waits up to 30). The wait's budget is derived from the
// provisioning execution's TimeoutSeconds (infra/config.ts maxMountTargetChecks), so a slow
// mount target ends READY, and one that never comes ends in a clean rollback (FAILED with
// MountTargetsTimeoutError, nothing left), never in an execution TIMED_OUT halfway through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../functions/lib/settings.ts';
import {
  mountTargetWaitWorstCaseSeconds,
  OTHER_STEPS_RESERVE_SECONDS,
  PROVISION_TIMEOUT_SECONDS,
} from '../../infra/config.ts';
import type { AwsModel } from '../../local/aws-model/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import { provisionedVolume } from '../support/api-volumes.ts';
import { clusterInventory, countsPerVolume } from '../support/aws-inventory.ts';
import { startModelStack } from '../support/local-stack-harness.ts';

interface Volume {
  readonly id: string;
  readonly status: string;
  readonly error?: { step: string; name: string; message: string };
}

let stack: LocalStack;
let model: AwsModel;

beforeAll(async () => {
  ({ stack, model } = await startModelStack({
    seed: 31,
    // 500 AWS seconds a real second: 30 minutes are 3.6 s here, the default waits of the
    // 14 checks (75 s, then 90 s and a 240 s look-ahead each) about 9 s.
    timeScale: 0.002,
    consistencySeconds: 0,
    rateLimits: {},
  }));
});

afterAll(async () => {
  await stack?.stop();
});

describe('a mount target that takes its time', () => {
  it('is waited for when it takes 30 minutes: the volume is READY with one of each resource', async () => {
    // Prepare
    model.configure({ durations: { mountTargetCreating: 1800 } });

    // Act
    const volume = await provisionedVolume<Volume>(stack, 'thirty-minutes', {}, 90_000);

    // Assess
    expect(volume.status).toBe('READY');
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [1],
      mountTargets: [expect.any(Number)],
      accessPoints: [1],
      securityGroups: [1],
    });
  });

  it('rolls back cleanly when it never comes: FAILED after the last check, nothing left', async () => {
    // Prepare: longer than any execution could wait
    model.configure({ durations: { mountTargetCreating: 1_000_000 } });

    // Act
    const volume = await provisionedVolume<Volume>(stack, 'never', {}, 90_000);

    // Assess: the checks ran out (not the execution's TimeoutSeconds), and the rollback
    // deleted everything, the creating mount targets included
    expect(volume.status).toBe('FAILED');
    expect(volume.error).toMatchObject({
      step: 'CheckMountTargets',
      name: 'MountTargetsTimeoutError',
      message: `mount targets not available after ${SETTINGS.MOUNT_TARGET_MAX_CHECKS.default} checks`,
    });
    // ...and those checks, at the default waits, end well within the execution's limit
    const defaults = (name: keyof typeof SETTINGS) => Number(SETTINGS[name].default);
    const worstCase = mountTargetWaitWorstCaseSeconds({
      mountTargetFirstWaitSeconds: defaults('MOUNT_TARGET_FIRST_WAIT_SECONDS'),
      mountTargetPollSeconds: defaults('MOUNT_TARGET_POLL_SECONDS'),
      mountTargetLookAheadSeconds: defaults('MOUNT_TARGET_LOOK_AHEAD_SECONDS'),
      mountTargetMaxChecks: defaults('MOUNT_TARGET_MAX_CHECKS'),
    });
    expect(worstCase + OTHER_STEPS_RESERVE_SECONDS).toBeLessThanOrEqual(PROVISION_TIMEOUT_SECONDS);
    expect(countsPerVolume(await clusterInventory(stack.clusterName), [volume.id])).toEqual({
      fileSystems: [0],
      mountTargets: [0],
      accessPoints: [0],
      securityGroups: [0],
    });
  });
});
