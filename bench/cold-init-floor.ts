// What an API function's cold init cannot go below: tiny handlers (bench/floor/) bundled with
// the stack's esbuild options, each loaded in a fresh node process one at a time (as each
// Lambda execution environment has its CPU to itself), with and without --enable-source-maps,
// next to real API bundles. Each is over the empty handler's process start → handler ready
// (source maps on): the ratio issue 22 bounds at 1.5. The functions run without them since
// 2026-12-08 (stack traces are mapped when formatted): the "without" figures are what deploys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { type LoadSample, lambdaEnvironment, loadOnce } from './cold-start.ts';
import { esbuildOptionsFor } from './esbuild-options.ts';
import { median, seededRandom, shuffled } from './stats.ts';

/** What each case loads at init, in the order the report lists them. */
export const FLOOR_CASES: ReadonlyArray<{
  readonly name: string;
  readonly entry: string;
  /** Variables beside Lambda's (lambdaEnvironment), which include AWS_EXECUTION_ENV. */
  readonly environment?: Readonly<Record<string, string>>;
}> = [
  { name: 'empty handler', entry: 'bench/floor/empty.ts' },
  { name: 'the built-ins an SDK client loads', entry: 'bench/floor/builtins.ts' },
  {
    // Tracing is active on every function of the stack: the Powertools Tracer and the X-Ray
    // SDK load at init (functions/commons/powertools/tracer.ts).
    name: 'the API wrapper alone (middy, Logger, Metrics, Tracer)',
    entry: 'bench/floor/api-shell.ts',
  },
  {
    name: 'the API wrapper with tracing off',
    entry: 'bench/floor/api-shell.ts',
    environment: { POWERTOOLS_TRACE_ENABLED: 'false' },
  },
  { name: 'one DynamoDB client alone', entry: 'bench/floor/dynamodb-client.ts' },
  { name: 'GET /volumes/{id} (get-volume)', entry: 'functions/api/get-volume.ts' },
  { name: 'POST /volumes (create-volume)', entry: 'functions/api/create-volume.ts' },
];

export interface FloorFigures {
  readonly runs: number;
  /** The empty handler's process start → handler ready, source maps on (ms, median). */
  readonly emptyProcessMs: number;
  readonly cases: ReadonlyArray<{
    readonly name: string;
    readonly entry: string;
    /** Process start → handler ready, median (ms), with NODE_OPTIONS=--enable-source-maps. */
    readonly processMs: number;
    readonly ratio: number;
    /** The same without source maps. */
    readonly withoutSourceMapsMs: number;
    readonly withoutSourceMapsRatio: number;
  }>;
}

/** Builds each case as a function's bundle and loads it `runs` times each way, shuffled. */
export async function measureColdInitFloor(runs: number): Promise<FloorFigures> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-floor-'));
  try {
    // Each entry built once (two cases load the API wrapper, with different variables).
    const files = new Map<string, string>();
    for (const entry of new Set(FLOOR_CASES.map((floorCase) => floorCase.entry))) {
      const options = esbuildOptionsFor(entry, scratch);
      await build(options);
      files.set(entry, join(String(options.outdir), 'index.mjs'));
    }
    // Each case's samples, with Node's source maps on and off.
    const samples = FLOOR_CASES.map(() => ({ on: [] as LoadSample[], off: [] as LoadSample[] }));
    const jobs = shuffled(
      FLOOR_CASES.flatMap((floorCase, index) =>
        Array.from({ length: runs }, () => [
          { floorCase, index, sourceMaps: true },
          { floorCase, index, sourceMaps: false },
        ]).flat(),
      ),
      seededRandom(20_261_208),
    );
    for (const { floorCase, index, sourceMaps } of jobs) {
      const file = files.get(floorCase.entry) ?? '';
      const env = lambdaEnvironment('floor', 256, dirname(file), {
        POWERTOOLS_SERVICE_NAME: 'efs-volumes',
        VOLUMES_TABLE: 'volumes',
        ...floorCase.environment,
        ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      });
      const sample = await loadOnce({
        moduleUrl: pathToFileURL(file).href,
        cwd: dirname(file),
        env,
      });
      samples[index]?.[sourceMaps ? 'on' : 'off'].push(sample);
    }
    const processMs = (index: number, sourceMaps: boolean) =>
      median((samples[index]?.[sourceMaps ? 'on' : 'off'] ?? []).map((sample) => sample.processMs));
    const emptyProcessMs = processMs(0, true);
    return {
      runs,
      emptyProcessMs,
      cases: FLOOR_CASES.map(({ name, entry }, index) => ({
        name,
        entry,
        processMs: processMs(index, true),
        ratio: processMs(index, true) / emptyProcessMs,
        withoutSourceMapsMs: processMs(index, false),
        withoutSourceMapsRatio: processMs(index, false) / emptyProcessMs,
      })),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
