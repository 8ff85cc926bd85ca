import { basename, join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { forgetFunctionIdentities, functionIdentities } from '../../local/credentials.ts';
import { keepEnvironmentsAcrossStacks } from '../../local/lambda/runtime.ts';
import { resetMoto } from '../../local/moto.ts';
import { abortRunningWorkflows } from '../../local/step-functions/local-workflow.ts';

import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';
import { countCpu } from './file-cpu.ts';

// After base-environment.ts: each integration test file has a moto to itself, its worker's
// (test/support/global-setup.ts starts one per worker), emptied here before any test module
// imports an SDK client (the clients read these variables once, as in Lambda). An empty moto
// keeps a file's calls as fast as its first (a moto shared by the whole run, never emptied,
// grew slower with every file's rules, queues and file systems); one per worker lets files
// run side by side.
//
// The files of a worker share one process (vitest.config.ts: isolate false), so the
// functions' role sessions (IAM and STS are not emptied) and their execution environments
// stay warm from file to file: a file no longer pays some 20 cold starts and cold code for
// its first volume (5 s of CPU). What a file sets in process.env is put back after it.
const endpoints = inject('motoEndpoints');
const worker = (Number(process.env.VITEST_POOL_ID ?? 1) - 1) % endpoints.length;
const endpoint = endpoints[worker];
if (!endpoint) throw new Error('no moto for this worker: test/support/global-setup.ts did not run');
// What this file costs in CPU, its worker's and its moto's, for the timing report.
const cpuSpent = countCpu(inject('motoPids')[worker] ?? 0);
if (!(await resetMoto(endpoint, ['iam', 'sts']))) forgetFunctionIdentities(endpoint);
keepEnvironmentsAcrossStacks();

const environmentBefore = { ...process.env };
// Registered first, so it runs after the file's own afterAll hooks.
// Vitest reads the first argument as the fixtures the hook uses (none), the file comes second.
// biome-ignore lint/correctness/noEmptyPattern: Vitest requires a destructuring pattern there
afterAll(({}, file) => {
  file.meta.cpu = cpuSpent();
});
afterAll(async () => {
  // A workflow this file started and did not wait for ends here, before the environment its
  // steps read goes back (else its next step ran in the next file, with that one's).
  await abortRunningWorkflows();
  for (const name of Object.keys(process.env)) {
    if (!(name in environmentBefore)) delete process.env[name];
  }
  Object.assign(process.env, environmentBefore);
});

process.env.AWS_ENDPOINT_URL = endpoint;
process.env.LOCAL_MOTO_ENDPOINT = endpoint;
// The functions run from the bundles built once for this run, each as its own role session.
process.env.LOCAL_FUNCTIONS_BUNDLES = inject('functionBundles');
// Every AWS call of every function is recorded, for the IAM evaluation (npm run test:iam), in
// a file named after the test file (`api-end-to-end.jsonl`): the evaluation knows which files
// it relies on and fails when one recorded nothing.
const testFile = basename(expect.getState().testPath ?? `process-${process.pid}`, '.test.ts');
process.env.LOCAL_AWS_CALL_LOG = join(AWS_CALLS_DIRECTORY, `${testFile}.jsonl`);

// Each function's role in this moto, assumed as the function's session (local/credentials.ts).
await functionIdentities(endpoint);
