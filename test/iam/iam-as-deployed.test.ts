import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { PROJECT_ROOT } from '../../infra/service-function.ts';
import { parseRecordedCalls, type RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { synthesize } from '../infra/synthesize.ts';
import { type FunctionPolicies, templatePolicies } from '../support/template-policies.ts';
import { evaluateRecordedCalls, vpcIdsOf } from './evaluate-recorded-calls.ts';

/** Where the main suite's recorder writes one JSON-lines file per test file (or process). */
const RECORDINGS = join(PROJECT_ROOT, '.build', 'aws-calls');

/**
 * The integration test files whose calls this evaluation relies on: between them, every
 * function's calls on every path (provisioning and its rollback, deletion of own and shared
 * file systems, repair, settlement, the drift check, the API and request events, restores, the
 * mount check of verifyMount). A run that
 * skipped one (a filter, a crash) would evaluate less and still pass: it fails instead.
 */
const RELIED_ON = [
  'provision-workflow',
  'api-end-to-end',
  'data-safety',
  'tenancy-api',
  'repair-api',
  'repair-stop',
  'settle-executions',
  'drift-check',
  'lifecycle-retain',
  'warm-pool',
  'restore',
  'verify-mount',
];

/** Each recording file (named after its test file), with its calls. */
function recordingFiles(): Map<string, RecordedAwsCall[]> {
  const files = existsSync(RECORDINGS)
    ? readdirSync(RECORDINGS).filter((file) => file.endsWith('.jsonl'))
    : [];
  return new Map(
    files.map((file) => [
      file.replace(/\.jsonl$/, ''),
      parseRecordedCalls(readFileSync(join(RECORDINGS, file), 'utf8'), file),
    ]),
  );
}

/** Every call of the recording files; throws when there is nothing to evaluate. */
function recordedCalls(files: ReadonlyMap<string, RecordedAwsCall[]>): RecordedAwsCall[] {
  const calls = [...files.values()].flat();
  if (calls.length === 0) {
    throw new Error(
      `no recorded AWS calls in ${RECORDINGS}: run the main suite first (npm test records them), then npm run test:iam`,
    );
  }
  return calls;
}

let files: Map<string, RecordedAwsCall[]>;
let calls: RecordedAwsCall[];
let policies: Map<string, FunctionPolicies>;

beforeAll(() => {
  files = recordingFiles();
  calls = recordedCalls(files);
  // The stack configured with the VPCs the runs made in moto, as an operator names theirs,
  // and with a warm pool, as local mode runs (test/integration/warm-pool.test.ts keeps one).
  policies = templatePolicies(
    synthesize({ config: { vpcIds: vpcIdsOf(calls), warmPool: { demo: 2 } } }),
  );
});

describe('IAM as deployed', () => {
  it('has the calls of every test file it relies on, and of every function', () => {
    // Act
    const silent = RELIED_ON.filter((file) => (files.get(file)?.length ?? 0) === 0);
    const seen = new Set(calls.map((call) => call.function));
    const unseen = FUNCTION_CATALOG.map((fn) => fn.name).filter((name) => !seen.has(name));

    // Assess
    expect(silent, 'test files that recorded no AWS call').toEqual([]);
    expect(unseen, 'functions none of whose AWS calls was recorded').toEqual([]);
  });

  it('allows every AWS call the functions made in the test suites and local mode', async () => {
    // Act
    const { allowed, denied } = await evaluateRecordedCalls(calls, policies);

    // Assess
    const byFunction = new Map<string, number>();
    for (const call of calls)
      byFunction.set(call.function, (byFunction.get(call.function) ?? 0) + 1);
    console.info(
      `IAM as deployed: evaluated ${calls.length} recorded calls (${allowed} allowed, ${denied.length} denied) of ${byFunction.size} functions`,
    );
    expect(
      denied.map(({ call, reason }) => `${call.function} ${call.operation}: ${reason}`),
    ).toEqual([]);
    expect(allowed).toBe(calls.length);
  });
});
