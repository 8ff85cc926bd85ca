// Local mode's EventBridge Scheduler (local/health-schedule.ts), on Vitest's fake clock: the
// interval, one run at a time, errors reported and survived, and the runNow control.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHealthSchedule } from '../../local/health-schedule.ts';

/** An invoke whose runs the test ends by hand, noting when each started. */
function controlledInvoke() {
  const started: number[] = [];
  const endings: Array<(error?: Error) => void> = [];
  const invoke = (event: unknown) => {
    expect(event).toMatchObject({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event' });
    started.push(Date.now());
    return new Promise<void>((resolve, reject) => {
      endings.push((error) => (error ? reject(error) : resolve()));
    });
  };
  return { invoke, started, end: (index: number, error?: Error) => endings[index]?.(error) };
}

describe('the local health schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every interval after the previous run ended, never two at once', async () => {
    // Prepare
    const { invoke, started, end } = controlledInvoke();
    const t0 = Date.now();
    const schedule = startHealthSchedule(10, undefined, invoke);

    // Act / Assess: the first run at 10 s; a slow run delays the next
    await vi.advanceTimersByTimeAsync(9_999);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual([t0 + 10_000]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(started).toHaveLength(1);
    end(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toEqual([t0 + 10_000, t0 + 50_000]);
    expect(schedule.runs()).toBe(1);

    end(1);
    await schedule.stop();
  });

  it('reports a failed run and goes on', async () => {
    // Prepare
    const { invoke, started, end } = controlledInvoke();
    const errors: unknown[] = [];
    const schedule = startHealthSchedule(1, (error) => errors.push(error), invoke);

    // Act
    await vi.advanceTimersByTimeAsync(1_000);
    end(0, new Error('the check failed'));
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(errors.map(String)).toEqual(['Error: the check failed']);
    expect(started).toHaveLength(2);
    expect(schedule.runs()).toBe(1);

    end(1);
    await schedule.stop();
  });

  it('runs now on request, after the run in flight, and starts the interval again', async () => {
    // Prepare: a run in flight at 60 s
    const { invoke, started, end } = controlledInvoke();
    const t0 = Date.now();
    const schedule = startHealthSchedule(60, undefined, invoke);
    await vi.advanceTimersByTimeAsync(60_000);

    // Act: asked to run now while that one runs
    const now = schedule.runNow();
    await vi.advanceTimersByTimeAsync(5_000);
    const whileInFlight = started.length;
    end(0);
    await vi.advanceTimersByTimeAsync(0);
    end(1);
    await now;

    // Assess: the second run only once the first ended, and the next 60 s after it
    expect(whileInFlight).toBe(1);
    expect(started).toEqual([t0 + 60_000, t0 + 65_000]);
    expect(schedule.runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual([t0 + 60_000, t0 + 65_000, t0 + 125_000]);

    end(2);
    await schedule.stop();
  });

  it('stops at once with a run in flight, and reports nothing of its end', async () => {
    // Prepare: a run in flight
    const { invoke, started, end } = controlledInvoke();
    const errors: unknown[] = [];
    const schedule = startHealthSchedule(1, (error) => errors.push(error), invoke);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);

    // Act: stopped while it runs (Ctrl-C in local mode), then the run is cut off
    let stoppedAt: number | undefined;
    await schedule.stop().then(() => {
      stoppedAt = Date.now();
    });
    end(0, new Error('the execution environment of CheckVolumes ended'));
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess: stop did not wait for the run; its failure is not reported; no run follows
    expect(stoppedAt).toBe(started[0]);
    expect(errors).toEqual([]);
    expect(started).toHaveLength(1);
  });

  it('runs nothing after stop', async () => {
    // Prepare
    const { invoke, started } = controlledInvoke();
    const schedule = startHealthSchedule(1, undefined, invoke);

    // Act
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await schedule.runNow();

    // Assess
    expect(started).toEqual([]);
  });
});
