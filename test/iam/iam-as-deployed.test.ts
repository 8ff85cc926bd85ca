import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/service-function.ts';
import { parseRecordedCalls, type RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { synthesize } from '../infra/synthesize.ts';
import { type FunctionPolicies, templatePolicies } from '../support/template-policies.ts';
import { evaluateRecordedCalls, vpcIdsOf } from './evaluate-recorded-calls.ts';

/** Where the main suite's recorder writes one JSON-lines file per test file (or process). */
const RECORDINGS = join(PROJECT_ROOT, '.build', 'aws-calls');

/** Every call recorded under RECORDINGS; throws when there is nothing to evaluate. */
function recordedCalls(): RecordedAwsCall[] {
  const files = existsSync(RECORDINGS)
    ? readdirSync(RECORDINGS).filter((file) => file.endsWith('.jsonl'))
    : [];
  const calls = files.flatMap((file) =>
    parseRecordedCalls(readFileSync(join(RECORDINGS, file), 'utf8'), file),
  );
  if (calls.length === 0) {
    throw new Error(
      `no recorded AWS calls in ${RECORDINGS}: run the main suite first (npm test records them), then npm run test:iam`,
    );
  }
  return calls;
}

let calls: RecordedAwsCall[];
let policies: Map<string, FunctionPolicies>;

beforeAll(() => {
  calls = recordedCalls();
  // The stack configured with the VPCs the runs made in moto, as an operator names theirs.
  policies = templatePolicies(synthesize({ config: { vpcIds: vpcIdsOf(calls) } }));
});

describe('IAM as deployed', () => {
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
