// Every entry of the AWS oracle (functions/lib/aws/oracle.generated.ts: each error each
// operation declares, and EC2's documented codes) driven through the bundle of the step that
// makes that call, and checked against its declared outcome (aws-outcomes.ts).
//
// A first volume is provisioned and deleted through the bundles with every AWS call observed:
// that says which operations each step calls, in which order. A second volume then goes the
// same way, but before each Task runs, its step's bundle is invoked once per declared entry
// of each operation it calls, the fault proxy answering that entry to EVERY call of the
// operation (so no retry inside the step can succeed and change the outcome). Then the Task
// runs for real, the workflows end READY and DELETED, and nothing is left behind.
//
// What each outcome means for the step that meets it:
// - terminal: the step fails under AWS's name (`AWS`) or under the declared class;
// - transient, wait, unseen: the step fails under a name the Task's Retry names;
// - adopt, gone: the step does not fail under the injected name.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsOperation } from '../../functions/lib/aws/aws-outcomes.ts';
import type { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { aslFileOf } from '../../infra/step-registry.ts';
import { WORKFLOWS } from '../../infra/steps.ts';
import {
  type FaultProxy,
  type FaultRule,
  type MatchedCall,
  startFaultProxy,
} from '../../local/fault-proxy.ts';
import { recordingEndpointFor } from '../../local/lambda/aws-call-recorder.ts';
import { LambdaFunctionError, type LocalFunctions } from '../../local/lambda/runtime.ts';
import { DEPROVISION_ASL, type TaskHandler } from '../../local/step-functions/local-workflow.ts';
import {
  API_OPERATIONS,
  answering,
  ENTRIES,
  type Entry,
  keyOf,
  OBSERVE,
  oracleOperationOf,
} from '../support/declared-error-entries.ts';
import { functionsBehind } from '../support/faulted-functions.ts';
import {
  awsLeftovers,
  kubeLeftovers,
  provision,
  runExecution,
  startTestCluster,
  type TestCluster,
  useVolumesTable,
} from '../support/workflow-harness.ts';

/**
 * Operations the workflows' steps do not call on the way of a volume provisioned and deleted
 * (calls of another path), each with why. An entry no step met fails the test unless its
 * operation is listed here or is one of the API's (API_OPERATIONS, driven through the API by
 * declared-errors-api.test.ts); a listed operation that a step calls fails it too.
 */
const NOT_CALLED_BY_STEPS: Readonly<Partial<Record<AwsOperation, string>>> = {
  'ec2:CreateTags': 'CreateSecurityGroup tags the group as it creates it',
  'ec2:DeleteTags': 'not called by a step',
  'elasticfilesystem:TagResource': 'only a warm pool member taken over is tagged',
  'elasticfilesystem:UntagResource': 'not called by a step',
  'elasticfilesystem:DescribeFileSystemPolicy':
    'the leftover reporter and the drift check compare the policy; a step puts it unread',
  'elasticfilesystem:DescribeMountTargetSecurityGroups':
    'only a mount target adopted from another attempt is checked',
};

interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
}

/**
 * Each function's Task states in the ASL files → the error names every one of them retries
 * (a step whose error one of its states does not retry rolls back there).
 */
function retriedNames(files: readonly string[]): ReadonlyMap<string, ReadonlySet<string>> {
  const states = files.flatMap((file) =>
    Object.values(
      (JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, AslState> }).States,
    ),
  );
  const retried = new Map<string, Set<string>>();
  for (const state of states) {
    const fn = /^\$\{(\w+)FunctionArn\}$/.exec(state.Resource ?? '')?.[1];
    if (!fn) continue;
    const names = new Set((state.Retry ?? []).flatMap((rule) => rule.ErrorEquals));
    const before = retried.get(fn);
    retried.set(fn, before ? new Set([...before].filter((name) => names.has(name))) : names);
  }
  return retried;
}

// Every workflow's ASL file, from the table the stack builds them from.
const RETRIED = retriedNames(WORKFLOWS.map(aslFileOf));

/**
 * Entries whose declared outcome comes from the database's state, which an injected answer
 * cannot make: for these the step must read the error (not fail under its name), and the
 * outcome is driven where the state decides it. Each says where.
 */
const DECIDED_BY_STATE: Readonly<Record<string, string>> = {
  'dynamodb:TransactWriteItems TransactionCanceledException':
    "record.ts reads the reasons; a failed condition lets a plain conditional update decide, whose ConditionalCheckFailedException is the VolumeRecordStateError (UpdateItem's entry); the injected cancellation cannot make that condition fail",
};

/** The failure an entry's outcome expects of the step, or a reason it did not. */
function mismatch(entry: Entry, fn: string, failedWith: string | undefined): string | undefined {
  const { outcome, name } = entry;
  const seen = `${fn} on ${keyOf(entry)} (${JSON.stringify(outcome)}): ${failedWith ?? 'no failure'}`;
  if (outcome === undefined) return `${seen}: no declared outcome`;
  if (keyOf(entry) in DECIDED_BY_STATE) {
    return failedWith === name ? `${seen}, expected the step to read it` : undefined;
  }
  if (typeof outcome === 'object') {
    const expected = outcome.terminal === 'AWS' ? name : outcome.terminal;
    return failedWith === expected ? undefined : `${seen}, expected ${expected}`;
  }
  if (outcome === 'adopt' || outcome === 'gone') {
    return failedWith === name ? `${seen}, expected not ${name}` : undefined;
  }
  const retried = RETRIED.get(fn) ?? new Set();
  return failedWith !== undefined && retried.has(failedWith)
    ? undefined
    : `${seen}, expected one of its Retry's ${[...retried].join(', ')}`;
}

let records: VolumeRecordStore;
let cluster: TestCluster;
let proxy: FaultProxy;
let faulted: LocalFunctions;
/** The AWS operations each call of the proxy is, in order, while `calls` is set. */
let calls: AwsOperation[] | undefined;

beforeAll(async () => {
  // Isolated namespaces: CreateSecurityGroup also makes the namespace's client group and
  // revokes the cluster-wide rule, so those calls are met too.
  process.env.NAMESPACE_NETWORK_ISOLATION = 'true';
  records = await useVolumesTable();
  cluster = await startTestCluster(['team-a', 'team-b']);
  // Functions → the fault proxy → the door (records calls, routes the cluster) → moto.
  proxy = await startFaultProxy({
    upstream: await recordingEndpointFor(process.env.AWS_ENDPOINT_URL ?? ''),
    faults: [OBSERVE],
    onCall: (call: MatchedCall) => {
      const operation = oracleOperationOf(call);
      if (operation) calls?.push(operation);
    },
  });
  faulted = functionsBehind(proxy.endpoint);
});

afterAll(async () => {
  delete process.env.NAMESPACE_NETWORK_ISOLATION;
  await faulted?.stop();
  await proxy?.stop();
  await cluster?.emulator.stop();
});

/** Runs a Task through the proxy, noting the operations its step called, in call order. */
function observing(called: Map<string, AwsOperation[]>) {
  return (fn: string, _handler: TaskHandler): TaskHandler =>
    async (input) => {
      calls = [];
      try {
        return await faulted.invoke(fn, input);
      } finally {
        const seen = called.get(fn) ?? [];
        for (const operation of calls) if (!seen.includes(operation)) seen.push(operation);
        called.set(fn, seen);
        calls = undefined;
      }
    };
}

interface Driven {
  readonly fn: string;
  readonly entry: Entry;
  readonly failedWith: string | undefined;
}

/**
 * Before each Task runs for real, its step's bundle meets every entry of each operation it
 * called in the first run (that no step met yet), each on every call of the operation, in the
 * order the step calls them. While an entry the step reads as done (adopt, gone) is met, the
 * operations the step first calls later answer 500: it must not create what it creates later,
 * or that later call would not be made again for its own entries.
 */
function driving(
  called: ReadonlyMap<string, readonly AwsOperation[]>,
  driven: Map<string, Driven>,
) {
  return (fn: string, handler: TaskHandler): TaskHandler =>
    async (input) => {
      const operations = called.get(fn) ?? [];
      for (const [index, operation] of operations.entries()) {
        const later: FaultRule[] = operations
          .slice(index + 1)
          .map((awsOperation) => ({ kind: 'internal-error', awsOperation }));
        for (const entry of ENTRIES.filter((each) => each.operation === operation)) {
          if (driven.has(keyOf(entry))) continue;
          const counted = `${operation} declared-error`;
          const before = proxy.stats().injectedByOperation[counted] ?? 0;
          const readAsDone = entry.outcome === 'adopt' || entry.outcome === 'gone';
          proxy.setFaults([answering(entry), ...(readAsDone ? later : [])]);
          const failedWith = await faulted.invoke(fn, input).then(
            () => undefined,
            (error: unknown) =>
              error instanceof LambdaFunctionError ? error.name : `not a Lambda error: ${error}`,
          );
          proxy.setFaults([OBSERVE]);
          // Met only when the step reached the call: a call made only on another path is not.
          if ((proxy.stats().injectedByOperation[counted] ?? 0) > before) {
            driven.set(keyOf(entry), { fn, entry, failedWith });
          }
        }
      }
      return handler(input);
    };
}

/** Provisions a volume, then deletes it, with each Task run through `wrap`. */
async function provisionAndDelete(
  namespace: string,
  wrap: (fn: string, handler: TaskHandler) => TaskHandler,
) {
  const provisioned = await provision(
    records,
    { clusterName: cluster.seeded.name, namespace, reclaimPolicy: 'Delete' },
    { wrap },
  );
  const { volumeId } = provisioned;
  const executionName = `${volumeId}-delete`;
  await records.beginDeletion(volumeId, executionName);
  const deleted = await runExecution(
    DEPROVISION_ASL,
    { volumeId, operation: 'deprovision' },
    { executionName, wrap },
  );
  return { volumeId, provisioned, deleted };
}

describe('every declared error of every AWS call a step makes, through its bundle', () => {
  const called = new Map<string, AwsOperation[]>();
  const driven = new Map<string, Driven>();
  let volumeId = '';
  let ended: { provisioned: string; deleted: string; error: string | undefined };

  beforeAll(async () => {
    // Prepare: the operations each step calls, from a first volume's calls
    const first = await provisionAndDelete('team-a', observing(called));
    expect(first.provisioned.record.status).toBe('READY');
    expect(first.deleted.error).toBeUndefined();

    // Act: a second volume, each step meeting every entry before it runs for real
    // (in a namespace of its own: its client group is made, so its calls are met too)
    const second = await provisionAndDelete('team-b', driving(called, driven));
    volumeId = second.volumeId;
    ended = {
      provisioned: second.provisioned.record.status,
      deleted: second.deleted.error?.name ?? 'DELETED',
      error: second.provisioned.error?.message,
    };
  });

  it('has an outcome for every entry of the generated oracle', () => {
    expect(ENTRIES.filter((entry) => entry.outcome === undefined).map(keyOf)).toEqual([]);
    expect(ENTRIES.length).toBeGreaterThanOrEqual(155);
  });

  it('drives every entry of every operation a step calls, and the steps call all but the API’s', () => {
    const stepOperations = new Set([...called.values()].flat());
    const notDriven = ENTRIES.filter(
      (entry) =>
        !driven.has(keyOf(entry)) &&
        (stepOperations.has(entry.operation) ||
          !(entry.operation in NOT_CALLED_BY_STEPS || entry.operation in API_OPERATIONS)),
    ).map(keyOf);
    expect(notDriven).toEqual([]);
    // A listed operation that a step does call is driven: the list says no more than it must.
    expect(
      Object.keys(NOT_CALLED_BY_STEPS).filter((operation) =>
        stepOperations.has(operation as AwsOperation),
      ),
    ).toEqual([]);
  });

  it('ends each step as the entry’s declared outcome says', () => {
    const wrong = [...driven.values()].flatMap(({ fn, entry, failedWith }) => {
      const found = mismatch(entry, fn, failedWith);
      return found ? [found] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('still provisions and deletes the volume, and leaves nothing behind', async () => {
    expect(ended).toEqual({ provisioned: 'READY', deleted: 'DELETED', error: undefined });
    expect(await awsLeftovers(volumeId)).toEqual([]);
    expect(kubeLeftovers(cluster.emulator, volumeId)).toEqual([]);
  });
});
