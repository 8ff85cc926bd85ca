import { basename, join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { functionIdentities } from '../../local/credentials.ts';
import { startMoto } from '../../local/moto.ts';
import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';

// After base-environment.ts: each integration test file has a moto of its own, started here
// before any test module imports an SDK client (the clients read these variables once, as in Lambda). A fresh moto
// keeps a file's calls as fast as its first (a moto shared by the whole run grew slower with
// every file's rules, queues and file systems) and lets files run side by side.
const moto = await startMoto();
afterAll(() => moto.stop());

process.env.AWS_ENDPOINT_URL = moto.endpoint;
process.env.LOCAL_MOTO_ENDPOINT = moto.endpoint;
// The functions run from the bundles built once for this run, each as its own role session.
process.env.LOCAL_FUNCTIONS_BUNDLES = inject('functionBundles');
// Every AWS call of every function is recorded, for the IAM evaluation (npm run test:iam), in
// a file named after the test file (`api-end-to-end.jsonl`): the evaluation knows which files
// it relies on and fails when one recorded nothing.
const testFile = basename(expect.getState().testPath ?? `process-${process.pid}`, '.test.ts');
process.env.LOCAL_AWS_CALL_LOG = join(AWS_CALLS_DIRECTORY, `${testFile}.jsonl`);

// Each function's role in this moto, assumed as the function's session (local/credentials.ts).
await functionIdentities(moto.endpoint);
