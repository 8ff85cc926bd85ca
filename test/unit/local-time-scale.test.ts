// Local mode's pacing: the AWS model's time scale applies to the workflow's own Wait states and
// retry pauses (local/step-functions/local-workflow.ts) and to the waits a function makes inside
// its invocation (local/lambda/time-scaled-settings.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MIN_LOOK_INTERVAL_SECONDS,
  timeScaledFunctionSettings,
  timeScaledRetryAfter,
} from '../../local/lambda/time-scaled-settings.ts';
import { runLocalWorkflow } from '../../local/step-functions/local-workflow.ts';

/** An ASL file whose one Task (`Flaky`) has this Retry, then goes to `next` states. */
function flakyTaskDefinition(
  retrier: Record<string, unknown>,
  next: Record<string, unknown> = {},
): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'time-scale-')), 'paced.asl.json');
  const rest = Object.keys(next);
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
          Resource: '${ResolveClusterFunctionArn}',
          Retry: [{ ErrorEquals: ['NotYet'], ...retrier }],
          ...(rest[0] ? { Next: rest[0] } : { End: true }),
        },
        ...next,
      },
    }),
  );
  return pathToFileURL(file);
}

/** A Task retried once after `IntervalSeconds` (10 AWS s), then a 20 AWS s Wait. */
function retryThenWaitDefinition(): URL {
  return flakyTaskDefinition(
    { IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3 },
    { Pause: { Type: 'Wait', Seconds: 20, Next: 'Done' }, Done: { Type: 'Succeed' } },
  );
}

/** A Task that fails once (`NotYet`), then succeeds; `calls` says when each attempt ran. */
function failingOnce() {
  const calls: number[] = [];
  const wrap = () => async () => {
    calls.push(Date.now());
    if (calls.length === 1) throw Object.assign(new Error('not yet'), { name: 'NotYet' });
    return {};
  };
  return { calls, wrap };
}

/** Whether `promise` has settled, as seen after the microtasks queued so far. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return () => done;
}

describe('local time scale', () => {
  // The pauses are timers: a fake clock shows each one's length exactly, on any machine load.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('scales a Retry pause and a Wait state by the time scale', async () => {
    // Prepare: at scale 0.02 the 10 s retry pause is 200 ms, and the 20 s Wait 400 ms
    const { calls, wrap } = failingOnce();
    const started = Date.now();

    // Act
    const ended = settled(
      runLocalWorkflow(retryThenWaitDefinition(), {}, { wrap, timeScale: 0.02 }).result,
    );
    await vi.advanceTimersByTimeAsync(199);
    const attemptsBeforePause = calls.length;
    await vi.advanceTimersByTimeAsync(1);
    const attemptsAfterPause = calls.length;
    await vi.advanceTimersByTimeAsync(399);
    const endedBeforeWait = ended();
    await vi.advanceTimersByTimeAsync(1);

    // Assess: the second attempt 200 ms after the first (not 10 s), the end 400 ms later
    expect(attemptsBeforePause).toBe(1);
    expect(attemptsAfterPause).toBe(2);
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBe(200);
    expect(endedBeforeWait).toBe(false);
    expect(ended()).toBe(true);
    expect(Date.now() - started).toBe(600);
  });

  it("backs each Retry pause off by the retrier's BackoffRate, up to MaxDelaySeconds, scaled", async () => {
    // Prepare: a Task that fails three times; IntervalSeconds 10, BackoffRate 2, at most 25 s
    const file = flakyTaskDefinition({
      IntervalSeconds: 10,
      BackoffRate: 2,
      MaxDelaySeconds: 25,
      MaxAttempts: 5,
    });
    const calls: number[] = [];
    const wrap = () => async () => {
      calls.push(Date.now());
      if (calls.length <= 3) throw Object.assign(new Error('not yet'), { name: 'NotYet' });
      return {};
    };

    // Act
    const ended = settled(runLocalWorkflow(file, {}, { wrap, timeScale: 0.02 }).result);
    await vi.advanceTimersByTimeAsync(2_000);

    // Assess: 10, 20, then 25 (not 40) AWS seconds between attempts, at 0.02
    expect(ended()).toBe(true);
    expect(calls.slice(1).map((at, index) => at - (calls[index] ?? 0))).toEqual([200, 400, 500]);
  });

  it('keeps retryMilliseconds when a test gives it, whatever the scale', async () => {
    // Prepare
    const { calls, wrap } = failingOnce();

    // Act
    const ended = settled(
      runLocalWorkflow(
        retryThenWaitDefinition(),
        {},
        { wrap, timeScale: 1, retryMilliseconds: 0, waitMilliseconds: 0 },
      ).result,
    );
    await vi.advanceTimersByTimeAsync(0);

    // Assess: both attempts and the Wait with no time passing
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBe(calls[0]);
    expect(ended()).toBe(true);
  });

  it("scales the mount-target check's look-ahead and look interval for the functions", () => {
    // Act
    const scaled = timeScaledFunctionSettings(0.1, {
      mountTargetLookAheadSeconds: 240,
      mountTargetLookIntervalSeconds: 1,
    });

    // Assess
    expect(scaled).toEqual({
      MOUNT_TARGET_LOOK_AHEAD_SECONDS: '24',
      MOUNT_TARGET_LOOK_INTERVAL_SECONDS: '0.1',
      RETRY_AFTER_SECONDS: '1',
    });
  });

  it("scales the API's Retry-After to whole seconds, never under 1", () => {
    // Act
    const figures = [undefined, 0, 0.02, 1, 3].map((scale) => timeScaledRetryAfter(scale));

    // Assess: AWS's 2 s at the scale, rounded up, at least 1
    expect(figures).toEqual(['1', '1', '1', '2', '6']);
  });

  it('never looks more often than every 0.1 s, and looks once per check at scale 0', () => {
    // Act
    const tiny = timeScaledFunctionSettings(0.02, {
      mountTargetLookAheadSeconds: 240,
      mountTargetLookIntervalSeconds: 1,
    });
    const instant = timeScaledFunctionSettings(0, {
      mountTargetLookAheadSeconds: 240,
      mountTargetLookIntervalSeconds: 1,
    });

    // Assess
    expect(Number(tiny.MOUNT_TARGET_LOOK_INTERVAL_SECONDS)).toBe(MIN_LOOK_INTERVAL_SECONDS);
    expect(Number(tiny.MOUNT_TARGET_LOOK_AHEAD_SECONDS)).toBeCloseTo(4.8);
    expect(instant).toEqual({
      MOUNT_TARGET_LOOK_AHEAD_SECONDS: '0',
      MOUNT_TARGET_LOOK_INTERVAL_SECONDS: '0',
      RETRY_AFTER_SECONDS: '1',
    });
  });
});
