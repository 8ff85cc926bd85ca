// Local mode's EventBridge Scheduler: invokes the stack's CheckVolumes function every few
// seconds (the stack does it every `healthCheckMinutes`), through the same local Lambda runtime
// as every other function, so the check runs from its bundle with its own role.
import { localFunctions } from './lambda/local-functions.ts';

/**
 * A running schedule. `stop` ends it at once: a check in flight is not waited for (it can take
 * minutes, e.g. filling the warm pool); it ends when the stack stops the functions, as a Lambda
 * invocation ends with its execution environment.
 */
export interface HealthSchedule {
  readonly seconds: number;
  /** Scheduled runs completed (ended, with or without an error). */
  runs(): number;
  /**
   * Runs the scheduled check now, after any run in flight, as the schedule would when its time
   * came (a control for the tests, in place of waiting out the interval); the interval then
   * starts again.
   */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/** What the schedule invokes: the stack's CheckVolumes function with a scheduled event. */
export type ScheduledInvoke = (event: unknown) => Promise<unknown>;

const invokeCheckVolumes: ScheduledInvoke = (event) =>
  localFunctions().invoke('CheckVolumes', event);

/**
 * The interval local mode checks at: `LOCAL_HEALTH_CHECK_SECONDS`, else `fallback`; 0 turns
 * the schedule off.
 */
export function healthCheckSecondsFromEnvironment(fallback: number): number {
  const raw = process.env.LOCAL_HEALTH_CHECK_SECONDS;
  if (raw === undefined || raw === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`LOCAL_HEALTH_CHECK_SECONDS must be a number of seconds, not ${raw}`);
  }
  return seconds;
}

/**
 * Starts invoking CheckVolumes every `seconds`, never two runs at once (a slow run delays the
 * next, as one schedule with a flexible window would). A failed run is reported through
 * `onError` and the schedule goes on, as Scheduler's next run would.
 */
export function startHealthSchedule(
  seconds: number,
  onError: (error: unknown) => void = () => undefined,
  invoke: ScheduledInvoke = invokeCheckVolumes,
): HealthSchedule {
  let stopped = false;
  let completed = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    try {
      await invoke({
        source: 'aws.scheduler',
        'detail-type': 'Scheduled Event',
        detail: {},
        time: new Date().toISOString(),
      });
    } catch (error) {
      if (!stopped) onError(error);
    } finally {
      completed += 1;
    }
  };
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(next);
    }, seconds * 1000);
    // The schedule alone never keeps a process alive.
    timer.unref();
  };
  next();
  return {
    seconds,
    runs: () => completed,
    async runNow() {
      // The run in flight, if any, first: never two at once.
      while (running) {
        const inFlight = running;
        await inFlight;
        if (running === inFlight) running = undefined;
      }
      if (stopped) return;
      clearTimeout(timer);
      running = run().then(next);
      await running;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
