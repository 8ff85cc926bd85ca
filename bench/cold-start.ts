// Cold start of a Lambda module: a fresh `node` process imports it, as the Lambda runtime does
// on a cold start, with the function's environment. Timed inside the child (performance.now()
// around the dynamic import, and the child's clock at that moment, which counts from the
// process's start) and from outside (spawn to exit).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BundleTarget } from './bundles.ts';
import { PROJECT_ROOT } from './esbuild-options.ts';
import { mapWithConcurrency, median, seededRandom, shuffled } from './stats.ts';

/** The loader the child runs: import, check the handler, report, exit. */
const LOADER = [
  'const started = performance.now();',
  'const module = await import(process.argv[1]);',
  'const loaded = performance.now();',
  "if (typeof module.handler !== 'function') throw new Error('the module exports no handler');",
  'process.stdout.write(JSON.stringify({ importMs: loaded - started, processMs: loaded }));',
  'process.exit(0);',
].join('\n');

export interface LoadSample {
  /** The dynamic import alone, inside the child. */
  readonly importMs: number;
  /** From the child's time origin (its start) to the import resolving. */
  readonly processMs: number;
  /** Spawn to exit, seen by this process. */
  readonly wallMs: number;
}

export interface LoadCase {
  readonly moduleUrl: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Loads a module once in a fresh node process. */
export function loadOnce(loadCase: LoadCase, timeoutMs = 30_000): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', LOADER, loadCase.moduleUrl],
      {
        cwd: loadCase.cwd,
        env: loadCase.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`loading ${loadCase.moduleUrl} exited with ${code}: ${stderr}`));
        return;
      }
      try {
        const parsed = JSON.parse(stdout) as { importMs: number; processMs: number };
        resolve({ importMs: parsed.importMs, processMs: parsed.processMs, wallMs });
      } catch {
        reject(new Error(`loading ${loadCase.moduleUrl} printed ${stdout}: ${stderr}`));
      }
    });
  });
}

/** What the Lambda runtime sets for a function, plus the function's own variables. */
export function lambdaEnvironment(
  name: string,
  memoryMB: number,
  taskRoot: string,
  functionEnvironment: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `efs-volumes-${name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/efs-volumes-${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    ...functionEnvironment,
  };
}

export interface ColdStartFigures {
  readonly bundled: LoadSample[];
  readonly unbundled: LoadSample[];
  /** The bundle again with NODE_OPTIONS=--enable-source-maps, as deployed before 2026-12-08 (some bundles). */
  readonly withSourceMaps: LoadSample[];
}

export interface ColdStartResult {
  readonly byBundle: Map<string, ColdStartFigures>;
  readonly empty: LoadSample[];
  readonly runs: number;
  readonly concurrency: number;
  readonly seconds: number;
}

type Job =
  | {
      readonly kind: 'bundled' | 'unbundled' | 'withSourceMaps';
      readonly target: BundleTarget;
    }
  | { readonly kind: 'empty' };

/** A handler that does nothing: the baseline every process pays (node's own start). */
function emptyHandlerUrl(): string {
  const folder = mkdtempSync(join(tmpdir(), 'bench-empty-handler-'));
  const file = join(folder, 'index.mjs');
  writeFileSync(file, 'export const handler = async () => ({ statusCode: 200 });\n');
  return pathToFileURL(file).href;
}

/**
 * Each bundle `runs` times bundled and unbundled (the .ts entry, packages from node_modules),
 * some also with Node's source maps on, and the empty handler `runs` times per round, all in one shuffled queue so that noise
 * spreads evenly, `concurrency` at a time.
 */
export async function measureColdStarts(
  targets: readonly BundleTarget[],
  options: {
    runs: number;
    concurrency: number;
    /** Bundles also loaded with NODE_OPTIONS=--enable-source-maps, to price what it parses at init. */
    withSourceMaps?: ReadonlySet<string>;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ColdStartResult> {
  const started = performance.now();
  const jobs: Job[] = [];
  for (let round = 0; round < options.runs; round++) {
    for (const target of targets) {
      jobs.push({ kind: 'bundled', target }, { kind: 'unbundled', target });
      if (options.withSourceMaps?.has(target.name)) {
        jobs.push({ kind: 'withSourceMaps', target });
      }
    }
    jobs.push({ kind: 'empty' });
  }
  const queue = shuffled(jobs, seededRandom(20_261_125));
  const emptyUrl = emptyHandlerUrl();
  const emptyTarget = targets.find((target) => target.kind === 'step') ?? targets[0];
  const byBundle = new Map<string, ColdStartFigures>(
    targets.map((target) => [target.name, { bundled: [], unbundled: [], withSourceMaps: [] }]),
  );
  const empty: LoadSample[] = [];
  let done = 0;
  await mapWithConcurrency(queue, options.concurrency, async (job) => {
    if (job.kind === 'empty') {
      const folder = dirname(new URL(emptyUrl).pathname);
      const env = lambdaEnvironment(
        emptyTarget?.name ?? 'empty',
        emptyTarget?.memoryMB ?? 256,
        folder,
        emptyTarget?.environment ?? {},
      );
      empty.push(await loadOnce({ moduleUrl: emptyUrl, cwd: folder, env }));
    } else {
      const { target } = job;
      const bundled = job.kind !== 'unbundled';
      const taskRoot = bundled ? dirname(target.file) : PROJECT_ROOT;
      const moduleUrl = pathToFileURL(
        bundled ? target.file : join(PROJECT_ROOT, target.entry),
      ).href;
      const env = lambdaEnvironment(target.name, target.memoryMB, taskRoot, target.environment);
      if (job.kind === 'withSourceMaps') env.NODE_OPTIONS = '--enable-source-maps';
      const sample = await loadOnce({ moduleUrl, cwd: taskRoot, env });
      byBundle.get(target.name)?.[job.kind].push(sample);
    }
    done++;
    if (done % 50 === 0 || done === queue.length) options.onProgress?.(done, queue.length);
  });
  return {
    byBundle,
    empty,
    runs: options.runs,
    concurrency: options.concurrency,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Median of one field of the samples. */
export function medianOf(samples: readonly LoadSample[], field: keyof LoadSample): number {
  return median(samples.map((sample) => sample[field]));
}
