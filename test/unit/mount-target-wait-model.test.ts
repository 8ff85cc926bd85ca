import { describe, expect, it } from 'vitest';
import {
  currentSettings,
  PREVIOUS_SETTINGS,
  readProvisionDefinition,
  retryDelaySeconds,
  simulateProvision,
  simulateProvisions,
  type WaitSettings,
  withFileSystemRetry,
} from '../../bench/mount-target-wait-model.ts';
import { serviceSettings } from '../../functions/lib/config.ts';
import {
  mountTargetLookAheadSeconds,
  mountTargetWaitSeconds,
} from '../../functions/lib/provision/aws-steps.ts';
import { seededRandom } from '../../local/seeded-random.ts';

/** The code's defaults, whatever the test environment sets. */
function defaults(): WaitSettings {
  const saved = process.env.MOUNT_TARGET_DNS_DELAY_SECONDS;
  delete process.env.MOUNT_TARGET_DNS_DELAY_SECONDS;
  try {
    return currentSettings(serviceSettings());
  } finally {
    if (saved !== undefined) process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = saved;
  }
}

function asService(settings: WaitSettings) {
  return {
    mountTargetFirstWaitSeconds: settings.firstWaitSeconds,
    mountTargetPollSeconds: settings.pollSeconds,
    mountTargetLookAheadSeconds: settings.lookAheadSeconds,
  };
}

async function runs(settings: WaitSettings, count: number, seed = 7) {
  const definition = withFileSystemRetry(readProvisionDefinition(), settings.fileSystemRetry);
  const random = seededRandom(seed);
  const all = [];
  for (let index = 0; index < count; index++) {
    all.push(await simulateProvision(definition, settings, random));
  }
  return all;
}

describe('mount-target wait model (bench/mount-target-wait-model.ts)', () => {
  it.each([
    ['today', defaults()],
    ['previous', PREVIOUS_SETTINGS],
  ])(
    'asks the state machine for exactly the waits the check step chooses (%s settings)',
    async (_, settings) => {
      // Act
      const provisions = await runs(settings, 60);

      // Assess: not ready → the code's wait for that check; ready → the DNS delay; then done
      for (const provision of provisions) {
        const notReady = provision.waitsAsked.slice(0, -2);
        expect(notReady).toEqual(
          notReady.map((_, index) => mountTargetWaitSeconds(index + 1, asService(settings))),
        );
        expect(provision.waitsAsked.slice(-2)).toEqual([settings.dnsDelaySeconds, 0]);
      }
    },
  );

  it('counts the transitions Step Functions bills: every state entered and every retry', async () => {
    // Act
    const provisions = await runs(defaults(), 40);

    // Assess: 5 creating Tasks, a Check and Choice per check with a Wait between, 5 to the end
    for (const provision of provisions) {
      expect(provision.transitions).toBe(
        5 + provision.retries + (3 * provision.mountTargetChecks - 1) + 5,
      );
    }
  });

  it('sees the last mount target within a look interval once the check looks ahead', async () => {
    // Prepare: every draw in the middle: file system 6.5 s, mount targets 75 s
    const settings = { ...defaults(), firstWaitSeconds: 60 };
    const definition = withFileSystemRetry(readProvisionDefinition(), settings.fileSystemRetry);

    // Act
    const provision = await simulateProvision(definition, settings, () => 0.5);

    // Assess: one look-ahead of about 15 s caught it, a second after at most
    expect(provision.mountTargetChecks).toBe(3);
    expect(provision.lookAheadSeconds).toBeGreaterThan(10);
    expect(provision.detectionLagSeconds).toBeGreaterThanOrEqual(0);
    expect(provision.detectionLagSeconds).toBeLessThanOrEqual(settings.lookIntervalSeconds);
  });

  it('replays the previous settings without looking ahead: the lag is set by the poll grid', async () => {
    // Act
    const provisions = await runs(PREVIOUS_SETTINGS, 40);

    // Assess
    for (const provision of provisions) {
      expect(provision.lookAheadSeconds).toBe(0);
      expect(provision.detectionLagSeconds).toBeLessThanOrEqual(
        PREVIOUS_SETTINGS.firstWaitSeconds + PREVIOUS_SETTINGS.pollSeconds,
      );
    }
    expect(mountTargetLookAheadSeconds(1, asService(defaults()))).toBe(0);
  });

  it('pauses between retries as the ASL says: interval times backoff, capped, jitter below it', () => {
    // Prepare
    const retrier = {
      ErrorEquals: ['FileSystemNotReadyError'],
      IntervalSeconds: 10,
      BackoffRate: 1.5,
      MaxDelaySeconds: 15,
    };

    // Act / Assess
    expect([1, 2, 3].map((attempt) => retryDelaySeconds(retrier, attempt, () => 0.5))).toEqual([
      10, 15, 15,
    ]);
    expect(retryDelaySeconds({ ...retrier, JitterStrategy: 'FULL' }, 1, () => 0.5)).toBe(5);
  });

  it('meets the tuning goals with the defaults: mean transitions ≤ 20, mean detection lag ≤ 3 s', async () => {
    // Act
    const today = await simulateProvisions(defaults(), { provisions: 200, seed: 1 });
    const previous = await simulateProvisions(PREVIOUS_SETTINGS, { provisions: 200, seed: 1 });

    // Assess
    expect(today.failed).toBe(0);
    expect(today.transitions.mean).toBeLessThanOrEqual(20);
    expect(today.detectionLag.mean).toBeLessThanOrEqual(3);
    expect(today.costUsd.mean).toBeLessThan(previous.costUsd.mean);
  });
});
