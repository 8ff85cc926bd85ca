// `--wait`: polls a volume until it settles, showing each workflow step as it starts and ends.
import type { StepRecord, Volume, VolumesClient } from '../client/index.ts';
import { statusesWhere } from '../functions/lib/volume/lifecycle.ts';
import { renderStepEnded, renderStepRunning, renderStepStarted, stepsInOrder } from './render.ts';
import { CLEAR_LINE, type CliIo, type Style } from './terminal.ts';

/** The statuses a volume rests in: nothing changes them but a new request (the lifecycle's). */
export const SETTLED: ReadonlySet<string> = new Set(statusesWhere('settled'));

/** `--wait` ran out of time before the volume settled. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly volume: Volume;
  constructor(volume: Volume, seconds: number) {
    super(`${volume.id} is still ${volume.status} after ${seconds} s`);
    this.volume = volume;
  }
}

/** A run of a step: the name and when it started (a step that runs again starts anew). */
const runOf = (name: string, step: StepRecord) => `${name}@${step.startedAt}`;

/**
 * Turns successive volume records into step events. The record keeps one entry per step
 * name, and a later workflow (DELETE after create) reruns some names: a run is new when its
 * start time is, so the runs already in `baseline` are never shown again.
 */
export class StepTracker {
  readonly #started = new Set<string>();
  readonly #ended = new Set<string>();

  constructor(baseline?: Pick<Volume, 'steps'>) {
    for (const [name, step] of Object.entries(baseline?.steps ?? {})) {
      this.#started.add(runOf(name, step));
      if (step.status !== 'RUNNING') this.#ended.add(runOf(name, step));
    }
  }

  /** What happened since the last record: steps started and steps ended, in order. */
  update(volume: Pick<Volume, 'steps'>): StepEvent[] {
    const events: StepEvent[] = [];
    for (const [name, step] of stepsInOrder(volume)) {
      const run = runOf(name, step);
      if (!this.#started.has(run)) {
        this.#started.add(run);
        events.push({ kind: 'started', name, step });
      }
      if (step.status !== 'RUNNING' && !this.#ended.has(run)) {
        this.#ended.add(run);
        events.push({ kind: 'ended', name, step });
      }
    }
    return events;
  }
}

export interface StepEvent {
  readonly kind: 'started' | 'ended';
  readonly name: string;
  readonly step: StepRecord;
}

export interface WaitOptions {
  readonly io: CliIo;
  readonly style: Style;
  /** The record the wait starts from: its step runs are not shown. */
  readonly baseline?: Volume;
  readonly timeoutSeconds: number;
  /** The pause between two GETs when the answer asks for none (no `Retry-After`). */
  readonly pollMilliseconds: number;
  /** The statuses that end the wait. @default SETTLED */
  readonly until?: ReadonlySet<string>;
}

const SPINNER_MILLISECONDS = 100;
/** How long a settled volume's last running step may take to record its end. */
const LAST_STEP_GRACE_MILLISECONDS = 3000;

/**
 * Polls `id` until its status is in `until`, each GET after the pause the last answer's
 * `Retry-After` asked for, writing each step's start and end to stdout as they happen (a
 * spinner on the running step at a terminal, plain lines when piped; nothing with JSON
 * output). Returns the last record.
 *
 * @throws WaitTimeoutError when `timeoutSeconds` pass first
 */
export async function waitForVolume(
  client: VolumesClient,
  id: string,
  options: WaitOptions,
): Promise<Volume> {
  const { io, style } = options;
  const until = options.until ?? SETTLED;
  const sleep = io.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const tracker = new StepTracker(options.baseline);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let running: { name: string; step: StepRecord } | undefined;
  let frame = 0;
  let settledAt: number | undefined;
  const show = (text: string) => {
    if (!style.json) io.stdout.write(text);
  };
  for (;;) {
    const { volume, retryAfterSeconds } = await client.pollVolume(id);
    // The server's `Retry-After` while the volume changes; our own pace when it sends none.
    const pause =
      retryAfterSeconds === undefined ? options.pollMilliseconds : retryAfterSeconds * 1000;
    for (const event of tracker.update(volume)) {
      if (event.kind === 'started') {
        if (!style.fancy) show(`${renderStepStarted(style, event.name)}\n`);
        running = event.step.status === 'RUNNING' ? event : running;
      } else {
        show(`${style.fancy ? CLEAR_LINE : ''}${renderStepEnded(style, event.name, event.step)}\n`);
        if (running?.name === event.name) running = undefined;
      }
    }
    if (until.has(volume.status)) {
      // The last step writes the final status before its own end is recorded: give that end
      // a moment to land, so the last step is not left without its duration.
      settledAt ??= Date.now();
      const unfinished = Object.values(volume.steps).some((step) => step.status === 'RUNNING');
      if (!unfinished || Date.now() - settledAt > LAST_STEP_GRACE_MILLISECONDS) {
        if (style.fancy && running) show(CLEAR_LINE);
        return volume;
      }
      await sleep(Math.min(options.pollMilliseconds, 200));
      continue;
    }
    if (Date.now() > deadline) {
      if (style.fancy && running) show(`${CLEAR_LINE}`);
      throw new WaitTimeoutError(volume, options.timeoutSeconds);
    }
    // Between polls a terminal sees the running step's spinner and its time so far.
    if (!style.fancy || !running) {
      await sleep(pause);
      continue;
    }
    const nextPoll = Date.now() + pause;
    while (Date.now() < nextPoll) {
      show(`${CLEAR_LINE}${renderStepRunning(style, running.name, running.step, frame++)}`);
      await sleep(Math.min(SPINNER_MILLISECONDS, nextPoll - Date.now()));
    }
  }
}
