import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { catalogFunction } from '../../infra/function-catalog.ts';
import { localFunctions } from '../lambda/local-functions.ts';

const PLACEHOLDER = /\$\{([A-Za-z]+)FunctionArn\}/g;

/** A task's local handler: the input in, the output (or a thrown error) out. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** The local ARN a `${NameFunctionArn}` placeholder stands for. */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:efs-volumes-${name}`;
}

interface AslDefinition {
  StartAt: string;
  States: Record<
    string,
    {
      Type: string;
      Resource?: string;
      ResultPath?: string;
      Seconds?: number;
      SecondsPath?: string;
      Retry?: ReadonlyArray<{
        readonly IntervalSeconds?: number;
        readonly BackoffRate?: number;
        readonly MaxDelaySeconds?: number;
      }>;
    }
  >;
}

/** Reads an ASL file and fills its `${…FunctionArn}` placeholders with local ARNs. */
export function loadDefinition(file: URL): {
  definition: AslDefinition;
  taskFunctions: Map<string, string>;
} {
  const text = readFileSync(file, 'utf8');
  const raw = JSON.parse(text) as AslDefinition;
  const taskFunctions = new Map<string, string>();
  for (const [stateName, state] of Object.entries(raw.States)) {
    const match =
      state.Type === 'Task' ? /^\$\{([A-Za-z]+)FunctionArn\}$/.exec(state.Resource ?? '') : null;
    if (match?.[1]) taskFunctions.set(stateName, match[1]);
  }
  const definition = withIsPresentFalseAsNot(
    JSON.parse(text.replace(PLACEHOLDER, (_, name: string) => localFunctionArn(name))),
  ) as AslDefinition;
  return { definition, taskFunctions };
}

/**
 * A definition whose choice rules `{ Variable, IsPresent: false }` are written `{ Not: {
 * Variable, IsPresent: true } }`, which means the same in Step Functions. aws-local-stepfunctions
 * 3.0.0 evaluates `IsPresent: false` as never true (`IsPresent && value !== undefined`), where
 * Step Functions matches a variable that is absent: a workflow would take its other branch
 * locally. Everything else is as it was.
 */
export function withIsPresentFalseAsNot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withIsPresentFalseAsNot);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (object.IsPresent === false && typeof object.Variable === 'string') {
    const { Variable, IsPresent: _, ...rest } = object;
    return { ...rest, Not: { Variable, IsPresent: true } };
  }
  return Object.fromEntries(
    Object.entries(object).map(([key, entry]) => [key, withIsPresentFalseAsNot(entry)]),
  );
}

const machines = new Map<string, ReturnType<typeof loadDefinition> & { machine: StateMachine }>();

/**
 * Loads and validates an ASL file once: validation takes tens of milliseconds of blocked event
 * loop, and one StateMachine runs any number of independent executions.
 */
function compiled(file: URL) {
  let entry = machines.get(file.href);
  if (!entry) {
    const loaded = loadDefinition(file);
    const machine = new StateMachine(loaded.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
    entry = { ...loaded, machine };
    machines.set(file.href, entry);
  }
  return entry;
}

/** Where a local execution's id starts; its name follows. */
const LOCAL_EXECUTION_ARN_PREFIX = 'arn:aws:states:us-east-1:123456789012:execution:local:';

export const PROVISION_ASL = new URL('../../statemachine/provision.asl.json', import.meta.url);
export const DEPROVISION_ASL = new URL('../../statemachine/deprovision.asl.json', import.meta.url);

export interface LocalRunOptions {
  /** Replace or wrap a function's handler (fault injection in tests). */
  readonly wrap?: (functionName: string, handler: TaskHandler) => TaskHandler;
  /** Wait states' durations in milliseconds, by state name; `all` for every Wait state. */
  readonly waitMilliseconds?: number;
  /** Retry pauses in milliseconds for every state. */
  readonly retryMilliseconds?: number;
  /**
   * AWS seconds → real seconds for every Wait state (`Seconds` or `SecondsPath`) and every
   * Retry pause, as the AWS model's LOCAL_AWS_TIME_SCALE paces AWS; Wait states keep their
   * `waitMilliseconds`, retries their `retryMilliseconds`, when given.
   */
  readonly timeScale?: number;
  /**
   * The execution's name, as the context object gives it (`$$.Execution.Name`): the steps
   * run only for the execution the volume's record names. @default a random UUID, as AWS
   */
  readonly executionName?: string;
}

/** aws-local-stepfunctions' default IntervalSeconds, as in Step Functions. */
const DEFAULT_RETRY_INTERVAL_SECONDS = 1;
/** Step Functions' default BackoffRate. */
const DEFAULT_BACKOFF_RATE = 2;

/**
 * Each retrier's pause before the next attempt, in milliseconds at `scale`: IntervalSeconds ×
 * BackoffRate^(failures − 1), at most MaxDelaySeconds, as Step Functions computes it, with
 * `failures` the state's failed attempts in a row so far (`failuresOf`). aws-local-stepfunctions
 * applies an override as is, on every attempt, so the override is an array whose entries are
 * computed when read (the library reads them as it decides each retry). Step Functions' FULL
 * jitter is not drawn: each pause is its upper bound. (A pause that stayed the first interval
 * spent a retrier's whole budget in a fraction of its scaled time: 6 attempts of a 2 s interval
 * at 0.02 took 0.2 s where AWS's backoff takes up to 62 s, 1.2 s scaled, and a step that waits
 * out EC2's consistency window failed when it ran warm.)
 */
function scaledRetries(
  state: AslDefinition['States'][string],
  scale: number,
  failuresOf: () => number,
): number[] | undefined {
  const retriers = state.Retry;
  if (!retriers) return undefined;
  const pause = (index: number): number | undefined => {
    const retrier = retriers[index];
    if (!retrier) return undefined;
    const seconds =
      (retrier.IntervalSeconds ?? DEFAULT_RETRY_INTERVAL_SECONDS) *
      (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** Math.max(0, failuresOf() - 1);
    return Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * scale * 1000;
  };
  return new Proxy([] as number[], {
    get: (target, property, receiver) =>
      typeof property === 'string' && /^\d+$/.test(property)
        ? pause(Number(property))
        : Reflect.get(target, property, receiver),
  });
}

/** `$.a.b` of a plain object; undefined when any step is missing. */
function valueAt(path: string, value: unknown): unknown {
  let current = value;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Wait states lasting their seconds times `scale`. aws-local-stepfunctions takes a fixed
 * override per Wait state and reads it when the state runs, so each override is a getter that
 * reads `SecondsPath` from `results`: the last output of each Task, at its ResultPath.
 */
function scaledWaits(
  definition: AslDefinition,
  scale: number,
  results: Record<string, unknown>,
): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Wait') continue;
    Object.defineProperty(overrides, stateName, {
      enumerable: true,
      get: () => {
        const seconds = state.SecondsPath
          ? Number(valueAt(state.SecondsPath, results) ?? 0)
          : (state.Seconds ?? 0);
        return seconds * scale * 1000;
      },
    });
  }
  return overrides;
}

type Execution = ReturnType<StateMachine['run']>;
type JsonInput = Parameters<StateMachine['run']>[0];
type LocalHandlers = NonNullable<
  NonNullable<
    NonNullable<Parameters<StateMachine['run']>[1]>['overrides']
  >['taskResourceLocalHandlers']
>;

export interface LocalExecution {
  readonly result: Promise<unknown>;
  readonly eventLogs: Execution['eventLogs'];
  abort(): void;
}

/**
 * Runs an ASL file with aws-local-stepfunctions, each Task bound to the function its Resource
 * names, run as Lambda runs it (local/lambda: the deployed bundle, in an environment of its own).
 */
export function runLocalWorkflow(
  file: URL,
  input: unknown,
  options: LocalRunOptions = {},
): LocalExecution {
  const { definition, taskFunctions, machine } = compiled(file);
  const name = options.executionName ?? randomUUID();
  let aborted = false;
  const taskResourceLocalHandlers: Record<string, TaskHandler> = {};
  const retryIntervalOverrides: Record<string, number | number[]> = {};
  const taskResults: Record<string, unknown> = {};
  const waitTimeOverrides: Record<string, number> =
    options.timeScale !== undefined && options.waitMilliseconds === undefined
      ? scaledWaits(definition, options.timeScale, taskResults)
      : {};
  for (const [stateName, functionName] of taskFunctions) {
    // Throws for a placeholder that names no function of the stack.
    catalogFunction(functionName);
    const resultPath = definition.States[stateName]?.ResultPath;
    const invoke: TaskHandler = async (event) => {
      const output = await localFunctions().invoke(functionName, event);
      // What a Wait's SecondsPath will read (see scaledWaits).
      if (resultPath?.startsWith('$.')) taskResults[resultPath.slice(2)] = output;
      return output;
    };
    const handler = options.wrap ? options.wrap(functionName, invoke) : invoke;
    // The state's failed attempts in a row, for its retriers' backoff (scaledRetries).
    let failures = 0;
    taskResourceLocalHandlers[stateName] = async (event) => {
      // aws-local-stepfunctions 3.0.0 still runs a Task's pending retry after abort(): a
      // stopped execution invokes nothing more, as in Step Functions.
      if (aborted) throw new ExecutionStoppedError(`${name} was stopped`);
      try {
        const output = await handler(event);
        failures = 0;
        return output;
      } catch (error) {
        failures++;
        throw error;
      }
    };
    const retries =
      options.retryMilliseconds ??
      (options.timeScale === undefined
        ? undefined
        : scaledRetries(
            definition.States[stateName] ?? { Type: 'Task' },
            options.timeScale,
            () => failures,
          ));
    if (retries !== undefined) retryIntervalOverrides[stateName] = retries;
  }
  if (options.waitMilliseconds !== undefined) {
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type === 'Wait') waitTimeOverrides[stateName] = options.waitMilliseconds;
    }
  }
  const execution = machine.run(input as JsonInput, {
    context: { Execution: { Id: `${LOCAL_EXECUTION_ARN_PREFIX}${name}`, Name: name } },
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as LocalHandlers,
      retryIntervalOverrides,
      waitTimeOverrides,
    },
  });
  const abort = () => {
    aborted = true;
    execution.abort();
  };
  const local = { result: execution.result, abort };
  running.add(local);
  execution.result.then(
    () => running.delete(local),
    () => running.delete(local),
  );
  return { result: execution.result, eventLogs: execution.eventLogs, abort };
}

/** What a Task of a stopped execution fails with, had the library tried it again. */
class ExecutionStoppedError extends Error {
  override name = 'ExecutionStoppedError';
}

/** The executions of this process that have not ended yet. */
const running = new Set<{ readonly result: Promise<unknown>; abort(): void }>();

/**
 * Aborts every execution of this process still running and waits for them to end: a test
 * file's workflows must not go on into the next file of the same process, whose environment
 * (its table, its endpoints) their next step would run with.
 *
 * @returns how many were still running
 */
export async function abortRunningWorkflows(): Promise<number> {
  const executions = [...running];
  for (const execution of executions) execution.abort();
  await Promise.allSettled(executions.map((execution) => execution.result));
  return executions.length;
}

/** The error an execution failed with: aws-local-stepfunctions wraps it in an ExecutionError. */
export function unwrapExecutionError(error: unknown): Error {
  const caught = error as Error & { cause?: unknown };
  if (caught?.name === 'ExecutionError' && caught.cause instanceof Error) return caught.cause;
  return caught instanceof Error ? caught : new Error(String(error));
}
