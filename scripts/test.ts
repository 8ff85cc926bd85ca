// `npm test`: the static checks beside vitest's three projects, and the IAM evaluation of the
// calls the integration tests recorded, started as soon as the last integration file has ended
// (beside the infra and unit files, which follow them); its output is printed after vitest's.
//
// The checks run as two lanes while vitest runs: `tsc` (one core for about 15 s), and Biome,
// the import layers and the OpenAPI linters one after another. Each lane's output is printed
// whole when it ends, with its time; a failed check stops vitest and fails the run. The suite
// is CPU-bound on two cores; the checks fill what its start (the bundles' build, the first
// stacks) and its last files leave idle.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDINGS_COMPLETE_VARIABLE } from '../test/support/recordings-complete.ts';

interface Step {
  readonly name: string;
  readonly run: () => Promise<string>;
}

class StepFailed extends Error {
  override name = 'StepFailed';
}

/** Process groups still running, ended when a check fails. */
const running = new Set<number>();

/** Runs a command to its end, its output kept (printed by the lane) or passed through. */
function command(
  line: string,
  passThrough = false,
  environment: Readonly<Record<string, string>> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(line, {
      shell: true,
      detached: true,
      stdio: passThrough ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1', ...environment },
    });
    if (child.pid) running.add(child.pid);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (child.pid) running.delete(child.pid);
      if (code === 0) resolve(output);
      else reject(new StepFailed(`${line} ended with ${signal ?? `exit code ${code}`}\n${output}`));
    });
  });
}

const run = (name: string, line: string): Step => ({ name, run: () => command(line) });

/** Runs the steps one after another, printing each one's output and time as it ends. */
async function lane(steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    const stepStarted = performance.now();
    const output = await step.run();
    const took = ((performance.now() - stepStarted) / 1000).toFixed(1);
    process.stdout.write(`\n== ${step.name} (${took} s)\n${output.trimEnd()}\n`);
  }
}

/** Fails with every lane's failure, once all lanes ended (none is left running). */
async function together(lanes: ReadonlyArray<Promise<void>>): Promise<void> {
  const failures = (await Promise.allSettled(lanes)).flatMap((settled) =>
    settled.status === 'rejected' ? [settled.reason] : [],
  );
  if (failures.length > 0) {
    throw new StepFailed(
      failures
        .map((failure) => (failure instanceof Error ? failure.message : String(failure)))
        .join('\n'),
    );
  }
}

/** Ends every command still running (its whole process group). */
function stopAll(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

// Ctrl-C reaches only this process (the commands run in process groups of their own).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

/**
 * Runs the IAM evaluation once `recorded` exists (the integration files all ended), or once
 * the suite ended without writing it (a run without them); its output is kept for the end.
 */
async function startWhenRecorded(recorded: string, suite: Promise<string>) {
  let suiteEnded = false;
  const markEnded = () => {
    suiteEnded = true;
  };
  suite.then(markEnded, markEnded);
  while (!suiteEnded && !existsSync(recorded)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const startedAt = seconds();
  const iamStarted = performance.now();
  const output = await command('npm run --silent test:iam');
  return { output, startedAt, took: ((performance.now() - iamStarted) / 1000).toFixed(1) };
}

try {
  const checks = together([
    lane([run('tsc --noEmit', 'npx tsc --noEmit')]),
    lane([
      run('biome check', 'npx biome check .'),
      run('import layers', 'npm run --silent lint:imports'),
      run('OpenAPI lint', 'npm run --silent lint:openapi'),
    ]),
  ]).then(
    () => process.stdout.write(`\n== static checks passed (${seconds()} s after the start)\n`),
    (failure: unknown) => {
      stopAll();
      throw failure;
    },
  );
  // The reporter test/support/recordings-complete.ts writes this file when the recordings are.
  const recorded = join(import.meta.dirname, '..', '.build', 'recordings-complete');
  rmSync(recorded, { force: true });
  const suite = command('npx vitest run', true, { [RECORDINGS_COMPLETE_VARIABLE]: recorded });
  const iam = startWhenRecorded(recorded, suite);
  // Not left unhandled if the suite fails first (stopAll ends it).
  iam.catch(() => undefined);
  await Promise.all([checks, suite]);
  const { output, startedAt, took } = await iam;
  process.stdout.write(
    `\n== IAM as deployed, npm run test:iam (${took} s, from ${startedAt} s after the start)\n${output.trimEnd()}\n`,
  );
  process.stdout.write(`\n== npm test: ${seconds()} s in all\n`);
} catch (error) {
  stopAll();
  process.stderr.write(`\n${error instanceof StepFailed ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
