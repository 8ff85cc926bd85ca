import { mkdir, rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { buildFunctionBundles } from '../../infra/function-bundles.ts';
import { functionIdentities } from '../../local/credentials.ts';
import { type MotoServer, startMoto } from '../../local/moto.ts';
import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
    /** Where the function bundles of this run are (built once, as the stack bundles them). */
    functionBundles: string;
    /** Each function's role session in the shared moto (LOCAL_FUNCTION_IDENTITIES). */
    functionIdentities: string;
  }
}

let moto: MotoServer | undefined;

/**
 * Starts one moto_server for the whole run; every test file shares it, isolated by unique
 * names. Builds the functions' bundles once (the tests run what deploys) and makes each
 * function's identity once.
 */
export async function setup(project: TestProject): Promise<void> {
  // Each test process records its functions' AWS calls here; test/iam evaluates them.
  await rm(AWS_CALLS_DIRECTORY, { recursive: true, force: true });
  await mkdir(AWS_CALLS_DIRECTORY, { recursive: true });
  const [started, bundles] = await Promise.all([startMoto(), buildFunctionBundles()]);
  moto = started;
  console.info(
    bundles.reused
      ? `function bundles: reused ${bundles.directory}`
      : `function bundles: built in ${bundles.seconds.toFixed(1)} s`,
  );
  const identities = await functionIdentities(moto.endpoint);
  project.provide('motoEndpoint', moto.endpoint);
  project.provide('functionBundles', bundles.directory);
  project.provide(
    'functionIdentities',
    JSON.stringify({ endpoint: moto.endpoint, identities: [...identities.values()] }),
  );
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
