// The AWS oracle's entries for the calls only the API makes (its record and claim writes, the
// list, the Fargate preflight's reads, starting an execution: API_OPERATIONS), each driven
// through the API's bundle by HTTP: the fault proxy answers the entry to every call of its
// operation, and the answer must be what the entry's outcome says. Transient (and wait,
// unseen): 503, retry. Terminal: a problem that is not 503. Adopt and gone: the request
// succeeds. And a create that failed left no volume behind. (Every other call's, through the
// bundles of the steps and the scheduled check: declared-errors-matrix.test.ts.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsOperation } from '../../functions/lib/aws/aws-outcomes.ts';
import type { MatchedCall } from '../../local/fault-proxy.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  API_OPERATIONS,
  answering,
  ENTRIES,
  type Entry,
  keyOf,
  OBSERVE,
  oracleOperationOf,
} from '../support/declared-error-entries.ts';
import { json, startTestStack } from '../support/local-stack-harness.ts';

let stack: LocalStack;
/** The AWS operations each call through the proxy is, in order, while `calls` is set. */
let calls: AwsOperation[] | undefined;
const maxAttempts = process.env.AWS_MAX_ATTEMPTS;

beforeAll(async () => {
  // One try: the rule answers every call anyway, and the SDK's backoff only costs time.
  process.env.AWS_MAX_ATTEMPTS = '1';
  // Every create makes every preflight read, each answered an entry: none reused from the
  // create before (fargate-preflight-api.test.ts tests the reuse).
  process.env.PREFLIGHT_CACHE_SECONDS = '0';
  stack = await startTestStack({
    awsFaults: {
      faults: [OBSERVE],
      onCall: (call: MatchedCall) => {
        const operation = oracleOperationOf(call);
        if (operation) calls?.push(operation);
      },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  delete process.env.PREFLIGHT_CACHE_SECONDS;
  if (maxAttempts === undefined) delete process.env.AWS_MAX_ATTEMPTS;
  else process.env.AWS_MAX_ATTEMPTS = maxAttempts;
});

interface Answer {
  readonly status: number;
  readonly contentType: string;
}

async function create(name: string): Promise<Answer> {
  const response = await fetch(
    `${stack.api}/volumes`,
    json({ clusterName: stack.clusterName, namespace: 'team-a', name, reclaimPolicy: 'Delete' }),
  );
  await response.arrayBuffer();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '' };
}

/** The API requests that make the API's own calls: a create and a list. */
const REQUESTS = {
  createVolume: (name: string) => create(name),
  listVolumes: async (): Promise<Answer> => {
    const response = await fetch(`${stack.api}/volumes?clusterName=${stack.clusterName}`);
    await response.arrayBuffer();
    return { status: response.status, contentType: response.headers.get('content-type') ?? '' };
  },
} as const;

type RequestName = keyof typeof REQUESTS;

/**
 * The claims the cluster's live volumes hold, read with no fault set. A create whose workflow
 * could not start leaves a FAILED record saying why, its claim released: not a volume.
 */
async function liveClaims(): Promise<string[]> {
  const response = await fetch(`${stack.api}/volumes?clusterName=${stack.clusterName}&limit=100`);
  const { items } = (await response.json()) as { items: Array<{ name: string; status: string }> };
  return items.filter((volume) => volume.status !== 'FAILED').map((volume) => volume.name);
}

const claimName = () => `matrix-${randomBytes(4).toString('hex')}`;

/** What the entry's outcome says of the API's answer, or why it did not. */
function mismatch(entry: Entry, request: RequestName, answer: Answer): string | undefined {
  const { outcome } = entry;
  const seen = `${request} on ${keyOf(entry)} (${JSON.stringify(outcome)}): ${answer.status} ${answer.contentType}`;
  if (outcome === undefined) return `${seen}: no declared outcome`;
  if (outcome === 'adopt' || outcome === 'gone') {
    return answer.status < 400 ? undefined : `${seen}, expected success`;
  }
  if (!answer.contentType.startsWith('application/problem+json'))
    return `${seen}, expected a problem`;
  if (typeof outcome === 'object')
    return answer.status >= 400 && answer.status !== 503 ? undefined : `${seen}, expected no 503`;
  return answer.status === 503 ? undefined : `${seen}, expected 503`;
}

describe('every declared error of the calls only the API makes, through the API', () => {
  const called = new Map<RequestName, AwsOperation[]>();
  const driven = new Map<string, { request: RequestName; entry: Entry; answer: Answer }>();
  const leftBehind: string[] = [];

  beforeAll(async () => {
    // Prepare: the operations each request makes, in call order. The execution "exists"
    // already (adopt), so no workflow runs behind the test.
    const adopted = ENTRIES.find(
      (entry) => entry.operation === 'states:StartExecution' && entry.outcome === 'adopt',
    );
    for (const request of Object.keys(REQUESTS) as RequestName[]) {
      calls = [];
      stack.faultProxy?.setFaults(adopted ? [answering(adopted), OBSERVE] : [OBSERVE]);
      expect((await REQUESTS[request](claimName())).status).toBeLessThan(300);
      called.set(request, [...new Set(calls)]);
      calls = undefined;
    }

    // Act: each entry of each API operation a request makes, answered to every call of it
    for (const [request, operations] of called) {
      for (const operation of operations.filter((each) => each in API_OPERATIONS)) {
        for (const entry of ENTRIES.filter((each) => each.operation === operation)) {
          if (driven.has(keyOf(entry))) continue;
          const counted = `${operation} declared-error`;
          const before = stack.faultProxy?.stats().injectedByOperation[counted] ?? 0;
          const name = claimName();
          stack.faultProxy?.setFaults([answering(entry)]);
          const answer = await REQUESTS[request](name);
          stack.faultProxy?.setFaults([OBSERVE]);
          if ((stack.faultProxy?.stats().injectedByOperation[counted] ?? 0) === before) continue;
          driven.set(keyOf(entry), { request, entry, answer });
          if (
            request === 'createVolume' &&
            answer.status >= 400 &&
            (await liveClaims()).includes(name)
          )
            leftBehind.push(keyOf(entry));
        }
      }
    }
  });

  it('drives every entry of the API operations, each made by a create or a list', () => {
    const made = new Set([...called.values()].flat());
    expect(Object.keys(API_OPERATIONS).filter((op) => !made.has(op as AwsOperation))).toEqual([]);
    const notDriven = ENTRIES.filter(
      (entry) => entry.operation in API_OPERATIONS && !driven.has(keyOf(entry)),
    ).map(keyOf);
    expect(notDriven).toEqual([]);
    expect(driven.size).toBeGreaterThan(0);
  });

  it('answers each as its declared outcome says', () => {
    const wrong = [...driven.values()].flatMap(({ request, entry, answer }) => {
      const found = mismatch(entry, request, answer);
      return found ? [found] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('leaves no volume behind a create that failed', () => {
    expect(leftBehind).toEqual([]);
  });
});
