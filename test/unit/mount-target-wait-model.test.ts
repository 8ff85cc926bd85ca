import { describe, expect, it } from 'vitest';
import {
  BEFORE_LOOK_AHEAD_SETTINGS,
  currentSettings,
  definitionFor,
  headlineOf,
  PREVIOUS_SETTINGS,
  retryDelaySeconds,
  simulateProvision,
  simulateProvisions,
  type WaitSettings,
} from '../../bench/mount-target-wait-model.ts';
import { serviceSettings } from '../../functions/lib/config.ts';
import {
  mountTargetLookAheadSeconds,
  mountTargetWaitSeconds,
} from '../../functions/lib/workflow/aws-steps.ts';
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
  const definition = definitionFor(settings);
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
    ['before look-ahead', BEFORE_LOOK_AHEAD_SETTINGS],
  ])(
    'asks the state machine for exactly the waits the check step chooses (%s settings)',
    async (_, settings) => {
      // Act
      const provisions = await runs(settings, 60);

      // Assess: not ready → the code's wait for that check; ready → the DNS delay (today what
      // is left of it since the mount targets' creation, before the whole of it), after which
      // today's workflow goes on to ApplyManifests and the previous one checked once more
      // A mount target of the rare tail (10–30 minutes) outlasts the older settings' checks:
      // they give up (FAILED), having asked for the checks' waits only
      for (const provision of provisions.filter((run) => run.status === 'FAILED')) {
        expect(provision.waitsAsked).toEqual(
          provision.waitsAsked.map((_, index) =>
            mountTargetWaitSeconds(index + 1, asService(settings)),
          ),
        );
      }
      for (const provision of provisions.filter((run) => run.status === 'READY')) {
        const dnsWait = settings.dnsDelayFromCreation
          ? Math.max(0, Math.ceil(settings.dnsDelaySeconds - provision.createdToDetectedSeconds))
          : settings.dnsDelaySeconds;
        const last = settings.checkAfterDnsDelay ? [dnsWait, 0] : [dnsWait];
        const notReady = provision.waitsAsked.slice(0, -last.length);
        expect(notReady).toEqual(
          notReady.map((_, index) => mountTargetWaitSeconds(index + 1, asService(settings))),
        );
        expect(provision.waitsAsked.slice(-last.length)).toEqual(last);
        expect(provision.dnsWaitSeconds).toBe(dnsWait);
      }
    },
  );

  it('counts the transitions Step Functions bills: every state entered and every retry', async () => {
    // Act
    const provisions = await runs(defaults(), 40);

    // Assess: 5 creating Tasks and the Restore? choice, a Check and Choice per check with a
    // Wait after each but the last, the DNS delay's Wait when some of it is left, 5 to the end
    for (const provision of provisions) {
      const dnsWait = provision.dnsWaitSeconds > 0 ? 1 : 0;
      expect(provision.transitions).toBe(
        6 + provision.retries + 3 * provision.mountTargetChecks - 1 + dnsWait + 5,
      );
    }
    // The mount targets take 60–90 s to turn available, most of the 90 s: often none is left
    expect(provisions.some((provision) => provision.dnsWaitSeconds === 0)).toBe(true);
    expect(provisions.every((provision) => provision.dnsWaitSeconds < 90)).toBe(true);
  });

  it('sees the last mount target within a look interval once the check looks ahead', async () => {
    // Prepare: every draw in the middle: file system 6.5 s, mount targets 75 s
    const settings = { ...defaults(), firstWaitSeconds: 60 };
    const definition = definitionFor(settings);

    // Act
    const provision = await simulateProvision(definition, settings, () => 0.5);

    // Assess: one look-ahead of about 15 s caught it, a second after at most
    expect(provision.mountTargetChecks).toBe(2);
    expect(provision.lookAheadSeconds).toBeGreaterThan(10);
    expect(provision.detectionLagSeconds).toBeGreaterThanOrEqual(0);
    expect(provision.detectionLagSeconds).toBeLessThanOrEqual(settings.lookIntervalSeconds);
  });

  it('replays the settings before the look-ahead: the lag is set by the poll grid', async () => {
    // Act
    const provisions = await runs(BEFORE_LOOK_AHEAD_SETTINGS, 40);

    // Assess
    for (const provision of provisions.filter((run) => run.status === 'READY')) {
      expect(provision.lookAheadSeconds).toBe(0);
      expect(provision.detectionLagSeconds).toBeLessThanOrEqual(
        BEFORE_LOOK_AHEAD_SETTINGS.firstWaitSeconds + BEFORE_LOOK_AHEAD_SETTINGS.pollSeconds,
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

  it('meets the tuning goals with the defaults: at most 20 transitions each, mean detection lag ≤ 3 s, cheaper than before', async () => {
    // Act: the bench's 200 provisions, and 1,000 more of another seed for the tail
    const today = await simulateProvisions(defaults(), { provisions: 200, seed: 1 });
    const more = await simulateProvisions(defaults(), { provisions: 1000, seed: 7 });
    const previous = await simulateProvisions(PREVIOUS_SETTINGS, { provisions: 200, seed: 1 });

    // Assess
    for (const figures of [today, more]) {
      expect(figures.failed).toBe(0);
      expect(figures.detectionLag.mean).toBeLessThanOrEqual(3);
    }
    expect(today.transitions.max).toBeLessThanOrEqual(20);
    expect(previous.transitions.max).toBeGreaterThan(20);
    expect(today.costUsd.mean).toBeLessThan(previous.costUsd.mean);
  });

  it('stays within 20 transitions unless a mount target takes over ten minutes, and never gives up', async () => {
    // Act: enough provisions that some draw the rare tail (10–30 minutes)
    const random = seededRandom(7);
    const definition = definitionFor(defaults());
    const provisions = [];
    for (let index = 0; index < 1000; index++) {
      provisions.push(await simulateProvision(definition, defaults(), random));
    }

    // Assess
    expect(provisions.every((provision) => provision.status === 'READY')).toBe(true);
    const usual = provisions.filter((provision) => provision.slowestMountTargetSeconds <= 600);
    const rare = provisions.filter((provision) => provision.slowestMountTargetSeconds > 600);
    expect(rare.length).toBeGreaterThan(0);
    expect(Math.max(...usual.map((provision) => provision.transitions))).toBeLessThanOrEqual(20);
  });

  it('stays within 20 transitions when every mount target takes the longest of the usual tail (600 s)', async () => {
    // Prepare: the file system mid-range, then each mount target in the tail (not the rare
    // part of it), capped
    const draws = [0.5, 0.05, 0.9999, 0.9999, 0.05, 0.9999, 0.9999, 0.05, 0.9999, 0.9999];
    const random = () => draws.shift() ?? 0.5;

    // Act
    const provision = await simulateProvision(definitionFor(defaults()), defaults(), random);

    // Assess: three checks (the third looks ahead to the end), seen within a look interval
    expect(provision.status).toBe('READY');
    expect(provision.mountTargetChecks).toBe(3);
    expect(provision.transitions).toBeLessThanOrEqual(20);
    expect(provision.detectionLagSeconds).toBeLessThanOrEqual(defaults().lookIntervalSeconds);
  });

  it("keeps exactly the issue's keys in the headline figures", async () => {
    // Act
    const headline = headlineOf(await simulateProvisions(defaults(), { provisions: 5 }));

    // Assess
    expect(Object.keys(headline)).toEqual([
      'timeToReady',
      'transitions',
      'detectionLag',
      'costUsd',
    ]);
    expect(Object.keys(headline.timeToReady)).toEqual(['mean', 'p95']);
    expect(Object.keys(headline.transitions)).toEqual(['mean', 'max']);
    expect(Object.keys(headline.detectionLag)).toEqual(['mean', 'p95']);
    expect(Object.keys(headline.costUsd)).toEqual(['mean']);
  });
});
