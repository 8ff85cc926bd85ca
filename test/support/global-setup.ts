import { mkdir, rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { buildFunctionBundles } from '../../infra/function-bundles.ts';
import { startMoto } from '../../local/moto.ts';
import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the function bundles of this run are (built once, as the stack bundles them). */
    functionBundles: string;
    /** One moto per worker of the pool: `motoEndpoints[VITEST_POOL_ID - 1]`. */
    motoEndpoints: string[];
    /** Their processes, in the same order (0 when unknown). */
    motoPids: number[];
  }
}

/**
 * Builds the functions' bundles once for the integration tests (they run what deploys),
 * empties the directory their AWS calls are recorded in, and starts one moto per worker of
 * the pool: a test file takes its worker's (test/support/aws-environment.ts) and empties it
 * first, so each file still starts from an empty AWS without paying a moto start (about 2 s
 * of CPU) of its own. Files of one worker run one after another, never side by side.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Each test process records its functions' AWS calls here; test/iam evaluates them.
  await rm(AWS_CALLS_DIRECTORY, { recursive: true, force: true });
  await mkdir(AWS_CALLS_DIRECTORY, { recursive: true });
  const workers = Math.max(1, project.globalConfig.maxWorkers);
  const [bundles, motos] = await Promise.all([
    buildFunctionBundles(),
    Promise.all(Array.from({ length: workers }, () => startMoto())),
  ]);
  console.info(
    bundles.reused
      ? `function bundles: reused ${bundles.directory}`
      : `function bundles: ${bundles.rebuilt.length} built in ${bundles.seconds.toFixed(1)} s`,
  );
  project.provide('functionBundles', bundles.directory);
  project.provide(
    'motoEndpoints',
    motos.map((moto) => moto.endpoint),
  );
  project.provide(
    'motoPids',
    motos.map((moto) => moto.pid ?? 0),
  );
  return async () => {
    await Promise.all(motos.map((moto) => moto.stop()));
  };
}
