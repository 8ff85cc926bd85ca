// Local mode's pacing: the AWS model's time scale applies to the workflow's own Wait states and
// retry pauses (local/step-functions/local-workflow.ts) and to the waits a function makes inside
// its invocation (local/lambda/time-scaled-settings.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MIN_LOOK_INTERVAL_SECONDS,
  timeScaledFunctionSettings,
} from '../../local/lambda/time-scaled-settings.ts';
import { runLocalWorkflow } from '../../local/step-functions/local-workflow.ts';

/** A Task retried once after `IntervalSeconds` (10 AWS s), then a 20 AWS s Wait. */
function retryThenWaitDefinition(): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'time-scale-')), 'paced.asl.json');
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
          Resource: '${ResolveClusterFunctionArn}',
          Retry: [{ ErrorEquals: ['NotYet'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3 }],
          Next: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 20, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    }),
  );
  return pathToFileURL(file);
}

describe('local time scale', () => {
  it('scales a Retry pause and a Wait state by the time scale', async () => {
    // Prepare: fails once, then succeeds; at scale 0.02 the pause is 0.2 s and the Wait 0.4 s
    const calls: number[] = [];
    const wrap = () => async () => {
      calls.push(performance.now());
      if (calls.length === 1) throw Object.assign(new Error('not yet'), { name: 'NotYet' });
      return {};
    };

    // Act
    const started = performance.now();
    await runLocalWorkflow(retryThenWaitDefinition(), {}, { wrap, timeScale: 0.02 }).result;
    const elapsed = performance.now() - started;

    // Assess: 0.2 s between the attempts (not 10 s), 0.6 s in all
    const pause = (calls[1] ?? 0) - (calls[0] ?? 0);
    expect(calls).toHaveLength(2);
    expect(pause).toBeGreaterThanOrEqual(190);
    expect(pause).toBeLessThan(2000);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(5000);
  });

  it('keeps retryMilliseconds when a test gives it, whatever the scale', async () => {
    // Prepare
    const calls: number[] = [];
    const wrap = () => async () => {
      calls.push(performance.now());
      if (calls.length === 1) throw Object.assign(new Error('not yet'), { name: 'NotYet' });
      return {};
    };

    // Act
    await runLocalWorkflow(
      retryThenWaitDefinition(),
      {},
      { wrap, timeScale: 1, retryMilliseconds: 0, waitMilliseconds: 0 },
    ).result;

    // Assess
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBeLessThan(1000);
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
    });
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
    });
  });
});
