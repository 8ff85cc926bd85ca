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
// The calls made off that path go the same way through the bundles that make them: the
// scheduled check (CheckVolumes) settling a PENDING volume stuck for minutes, filling a warm
// pool, and checking a READY volume for drift; and the steps of a volume that takes the pool's
// member (the member's file system tagged over, its mount targets' groups read). With the
// API's own calls (declared-errors-api.test.ts), every entry of the oracle is driven.
//
// What each outcome means for the step that meets it:
// - terminal: the step fails under AWS's name (`AWS`) or under the declared class;
// - transient, wait, unseen: the step fails under a name the Task's Retry names;
// - adopt, gone: the step does not fail under the injected name.
// For the scheduled check, which reports a volume's or a member's failure and goes on (its
// next run is the retry), the same with "reports" for "fails", and a transient name for Retry's.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsOperation } from '../../functions/lib/aws/aws-outcomes.ts';
import { isTransientError } from '../../functions/lib/aws/transient.ts';
import type { HealthSweepSummary } from '../../functions/lib/sweep/check-all.ts';
import type { WarmPoolReport } from '../../functions/lib/sweep/warm-pool.ts';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
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
import {
  DEPROVISION_ASL,
  PROVISION_ASL,
  type TaskHandler,
} from '../../local/step-functions/local-workflow.ts';
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
  documents,
  kubeLeftovers,
  provision,
  runExecution,
  startTestCluster,
  type TestCluster,
  uniqueName,
  useVolumesTable,
} from '../support/workflow-harness.ts';

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

/** The scheduled drift check, which also settles stuck PENDING volumes and keeps warm pools. */
const SCHEDULED_CHECK = 'CheckVolumes';

/** A failure the scheduled check reports as one a later run may not meet. */
const reportedTransient = (name: string) => name === 'TransientError' || isTransientError({ name });

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
    // (The scheduled check may report several failures, listed.)
    return failedWith?.split(', ').includes(name) ? `${seen}, expected not ${name}` : undefined;
  }
  if (fn === SCHEDULED_CHECK) {
    return failedWith !== undefined && reportedTransient(failedWith)
      ? undefined
      : `${seen}, expected a transient name, which its next run retries`;
  }
  const retried = RETRIED.get(fn) ?? new Set();
  return failedWith !== undefined && retried.has(failedWith)
    ? undefined
    : `${seen}, expected one of its Retry's ${[...retried].join(', ')}`;
}

let records: VolumeRecordStore;
let table = '';
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
  table = process.env.VOLUMES_TABLE ?? '';
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
  missed: Map<string, string[]> = new Map(),
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
          const readAsDone = entry.outcome === 'adopt' || entry.outcome === 'gone';
          // A step that failed before the call (a real call's own failure: each function here
          // tries once) meets the entry again, up to twice more: had its real handler then run,
          // what it made would keep it from ever reaching the call again.
          for (let attempt = 1; attempt <= 3; attempt++) {
            const before = proxy.stats().injectedByOperation[counted] ?? 0;
            proxy.setFaults([answering(entry), ...(readAsDone ? later : [])]);
            const failure = await faulted.invoke(fn, input).then(
              () => undefined,
              (error: unknown) => error,
            );
            proxy.setFaults([OBSERVE]);
            const failedWith =
              failure === undefined || failure instanceof LambdaFunctionError
                ? failure?.name
                : `not a Lambda error: ${failure}`;
            // Met only when the step reached the call: a call made only on another path is not.
            if ((proxy.stats().injectedByOperation[counted] ?? 0) > before) {
              driven.set(keyOf(entry), { fn, entry, failedWith });
              missed.delete(keyOf(entry));
              break;
            }
            if (failure === undefined) break;
            const message =
              failure instanceof LambdaFunctionError ? failure.payload.errorMessage : '';
            const seen = `${fn} failed before the call: ${failedWith} ${message}`;
            missed.set(keyOf(entry), [...(missed.get(keyOf(entry)) ?? []), seen]);
          }
        }
      }
      return handler(input);
    };
}

/** The keys of the entries driven by any block of this file. */
const drivenAnywhere = new Set<string>();

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
  /** Entries a step failed before reaching, with how: shown if one is never driven. */
  const missed = new Map<string, string[]>();
  let volumeId = '';
  let ended: { provisioned: string; deleted: string; error: string | undefined };

  beforeAll(async () => {
    // Prepare: the operations each step calls, from a first volume's calls
    const first = await provisionAndDelete('team-a', observing(called));
    expect(first.provisioned.record.status).toBe('READY');
    expect(first.deleted.error).toBeUndefined();

    // Act: a second volume, each step meeting every entry before it runs for real
    // (in a namespace of its own: its client group is made, so its calls are met too)
    const second = await provisionAndDelete('team-b', driving(called, driven, missed));
    volumeId = second.volumeId;
    for (const key of driven.keys()) drivenAnywhere.add(key);
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

  it('drives every entry of every operation a step calls', () => {
    const stepOperations = new Set([...called.values()].flat());
    const notDriven = ENTRIES.filter(
      (entry) => !driven.has(keyOf(entry)) && stepOperations.has(entry.operation),
    ).map((entry) => ({ entry: keyOf(entry), missed: missed.get(keyOf(entry)) ?? [] }));
    expect(notDriven).toEqual([]);
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

type CheckVolumesResult = HealthSweepSummary & { readonly pools: readonly WarmPoolReport[] };

/**
 * One run of the scheduled check through its bundle: the names of what it reported failed (a
 * volume's check or settling, a warm pool member's making), or of its own failure.
 */
async function scheduledCheck(): Promise<string[]> {
  try {
    const result = (await faulted.invoke(SCHEDULED_CHECK, {})) as CheckVolumesResult;
    const reported = [
      ...result.failed.map((failure) => failure.error),
      ...result.pools.flatMap((pool) => pool.failed.map((failure) => failure.error)),
    ];
    // Each reads `<error name>: <message>`.
    return reported.map((error) => error.split(':')[0] ?? error);
  } catch (error) {
    const name = error instanceof LambdaFunctionError ? error.name : String(error);
    return [`${SCHEDULED_CHECK} itself failed: ${name}`];
  }
}

/**
 * Runs the scheduled check once per entry of `operation`, the proxy answering the entry to
 * every call of it (with `alongside`'s rules), those read as done last: they let the check
 * go on to what changes the state the others need (a stuck volume settled).
 */
async function drivingScheduledCheck(
  operation: AwsOperation,
  driven: Map<string, Driven>,
  alongside: (entry: Entry) => FaultRule[] = () => [],
): Promise<void> {
  const readAsDone = (entry: Entry) => entry.outcome === 'adopt' || entry.outcome === 'gone';
  const entries = ENTRIES.filter((entry) => entry.operation === operation);
  const counted = `${operation} declared-error`;
  for (const entry of [...entries.filter((e) => !readAsDone(e)), ...entries.filter(readAsDone)]) {
    const before = proxy.stats().injectedByOperation[counted] ?? 0;
    proxy.setFaults([answering(entry), ...alongside(entry)]);
    const failed = await scheduledCheck();
    proxy.setFaults([OBSERVE]);
    if ((proxy.stats().injectedByOperation[counted] ?? 0) > before) {
      driven.set(keyOf(entry), {
        fn: SCHEDULED_CHECK,
        entry,
        failedWith: failed.length > 0 ? failed.join(', ') : undefined,
      });
    }
  }
}

/**
 * What a volume that takes a warm pool member adds to the steps' calls: its CreateFileSystem
 * tags the member's file system as the volume's and takes the pool's tag off, its
 * CreateMountTargets reads the groups of the mount targets it finds there. (The first volume
 * above has neither.) An entry counts only if the step reached the call.
 */
const POOL_VOLUME_CALLS: ReadonlyMap<string, readonly AwsOperation[]> = new Map([
  ['CreateFileSystem', ['elasticfilesystem:TagResource', 'elasticfilesystem:UntagResource']],
  ['CreateMountTargets', ['elasticfilesystem:DescribeMountTargetSecurityGroups']],
] as const);

describe('every declared error of the calls made off that path, through the bundles making them', () => {
  const driven = new Map<string, Driven>();
  let stuckId = '';
  let poolVolumeId = '';
  let ended: Record<string, string | undefined>;

  beforeAll(async () => {
    // Prepare: a volume whose POST never started its execution, ten minutes ago
    const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000);
    stuckId = newVolumeId();
    const stuck = validateVolumeRequest({
      clusterName: cluster.seeded.name,
      namespace: 'team-a',
      name: uniqueName('stuck'),
    });
    await new VolumeRecordStore(documents, table, tenMinutesAgo).create(stuckId, stuck, {
      executionName: stuckId,
    });

    // Act: the scheduled check settles it: its execution described (the last entry, which says
    // there is none, has it started again, which fails too: the volume is FAILED)
    const noStateMachine = ENTRIES.find(
      (entry) =>
        entry.operation === 'states:StartExecution' && entry.name === 'StateMachineDoesNotExist',
    );
    await drivingScheduledCheck('states:DescribeExecution', driven, (entry) =>
      entry.outcome === 'gone' && noStateMachine ? [answering(noStateMachine)] : [],
    );

    // Act: the check fills a warm pool of one: each entry of its first write, then for real
    process.env.WARM_POOL = JSON.stringify({ [cluster.seeded.name]: 1 });
    try {
      await drivingScheduledCheck('dynamodb:PutItem', driven);
      expect(await scheduledCheck()).toEqual([]);
    } finally {
      delete process.env.WARM_POOL;
    }
    const [member] = await records.pool().list(cluster.seeded.name, 'AVAILABLE');
    if (!member) throw new Error('the scheduled check made no warm pool member');

    // Act: a volume takes the member, each pool step meeting its entries before it runs
    poolVolumeId = member.id;
    const spec = validateVolumeRequest({
      clusterName: cluster.seeded.name,
      namespace: 'team-a',
      name: uniqueName('pooled'),
      reclaimPolicy: 'Delete',
    });
    await records.create(poolVolumeId, spec, { executionName: poolVolumeId, pool: member });
    const provisioned = await runExecution(
      PROVISION_ASL,
      { volumeId: poolVolumeId, operation: 'provision' },
      { executionName: poolVolumeId, wrap: driving(POOL_VOLUME_CALLS, driven) },
    );
    const ready = await records.require(poolVolumeId);

    // Act: the check looks at the READY volume: its file system's policy read. (No
    // CHECK_VOLUME_BATCH_FUNCTION here: CheckVolumes checks the batch itself, with the code a
    // CheckVolumeBatch runs, but with clients that try once, where the batch's patient ones
    // would spend seconds of backoff on each transient entry.)
    await drivingScheduledCheck('elasticfilesystem:DescribeFileSystemPolicy', driven);

    // Act: the volume deleted
    const executionName = `${poolVolumeId}-delete`;
    await records.beginDeletion(poolVolumeId, executionName);
    const deleted = await runExecution(
      DEPROVISION_ASL,
      { volumeId: poolVolumeId, operation: 'deprovision' },
      { executionName },
    );
    for (const key of driven.keys()) drivenAnywhere.add(key);
    ended = {
      stuck: (await records.require(stuckId)).status,
      source: ready.fileSystemSource,
      provisioned: ready.status,
      error: provisioned.error?.message,
      deleted: deleted.error?.name ?? 'DELETED',
    };
  });

  it('ends each call as the entry’s declared outcome says', () => {
    const wrong = [...driven.values()].flatMap(({ fn, entry, failedWith }) => {
      const found = mismatch(entry, fn, failedWith);
      return found ? [found] : [];
    });
    expect(wrong).toEqual([]);
    expect(driven.size).toBeGreaterThan(0);
  });

  it('settles the stuck volume, provisions and deletes the pool’s, and leaves nothing behind', async () => {
    expect(ended).toEqual({
      stuck: 'FAILED',
      source: 'pool',
      provisioned: 'READY',
      error: undefined,
      deleted: 'DELETED',
    });
    expect(await records.pool().list(cluster.seeded.name)).toEqual([]);
    expect(await awsLeftovers(poolVolumeId)).toEqual([]);
    expect(kubeLeftovers(cluster.emulator, poolVolumeId)).toEqual([]);
    expect(await awsLeftovers(stuckId)).toEqual([]);
  });
});

describe('the matrix', () => {
  it('drives every entry of the oracle but the API’s own calls, which the API’s matrix drives', () => {
    const notDriven = ENTRIES.filter(
      (entry) => !(entry.operation in API_OPERATIONS) && !drivenAnywhere.has(keyOf(entry)),
    ).map(keyOf);
    expect(notDriven).toEqual([]);
  });
});
