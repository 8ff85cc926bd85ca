import { basename, join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { functionIdentities } from '../../local/credentials.ts';
import { startMoto } from '../../local/moto.ts';
import { AWS_CALLS_DIRECTORY } from './aws-calls.ts';

// Each integration test file has a moto of its own, started here before any test module
// imports an SDK client (the clients read these variables once, as in Lambda). A fresh moto
// keeps a file's calls as fast as its first (a moto shared by the whole run grew slower with
// every file's rules, queues and file systems) and lets files run side by side.
const moto = await startMoto();
afterAll(() => moto.stop());

process.env.AWS_ENDPOINT_URL = moto.endpoint;
process.env.LOCAL_MOTO_ENDPOINT = moto.endpoint;
delete process.env.LOCAL_FUNCTION_IDENTITIES;
// The functions run from the bundles built once for this run, each as its own role session.
process.env.LOCAL_FUNCTIONS_BUNDLES = inject('functionBundles');
// Every AWS call of every function is recorded, for the IAM evaluation (npm run test:iam), in
// a file named after the test file (`api-end-to-end.jsonl`): the evaluation knows which files
// it relies on and fails when one recorded nothing.
const testFile = basename(expect.getState().testPath ?? `process-${process.pid}`, '.test.ts');
process.env.LOCAL_AWS_CALL_LOG = join(AWS_CALLS_DIRECTORY, `${testFile}.jsonl`);
process.env.AWS_REGION = 'us-east-1';
// The stack tag's value: the name of the stack test/infra/synthesize.ts builds, whose IAM
// policies test/iam evaluates the recorded calls against.
process.env.STACK_NAME = 'EfsVolumes';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV = 'false';
// No EMF lines in the test output; the tests of metrics and of what is logged turn them on.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// Moto's mount targets are available at once and no DNS has to propagate; the tests of the
// readiness delay set their own.
process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '0';

// Each function's role in this moto, assumed as the function's session (local/credentials.ts).
await functionIdentities(moto.endpoint);
