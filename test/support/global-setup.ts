import { mkdir, rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { buildFunctionBundles } from '../../infra/function-bundles.ts';
import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the function bundles of this run are (built once, as the stack bundles them). */
    functionBundles: string;
  }
}

/**
 * Builds the functions' bundles once for the integration tests (they run what deploys) and
 * empties the directory their AWS calls are recorded in. Each test file starts its own moto
 * (test/support/aws-environment.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  // Each test process records its functions' AWS calls here; test/iam evaluates them.
  await rm(AWS_CALLS_DIRECTORY, { recursive: true, force: true });
  await mkdir(AWS_CALLS_DIRECTORY, { recursive: true });
  const bundles = await buildFunctionBundles();
  console.info(
    bundles.reused
      ? `function bundles: reused ${bundles.directory}`
      : `function bundles: built in ${bundles.seconds.toFixed(1)} s`,
  );
  project.provide('functionBundles', bundles.directory);
}
