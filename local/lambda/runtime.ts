// Lambda, locally: each function of the stack runs in execution environments of its own (worker
// threads) with its own environment variables and AWS identity, loaded from the bundle that
// deploys (or from its source, for debugging), one invocation per environment at a time, more
// environments as invocations overlap, as Lambda scales.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import { PROJECT_ROOT } from '../../infra/bundling.ts';
import {
  type BuiltFunctions,
  buildFunctionBundles,
  bundleFileOf,
} from '../../infra/function-bundles.ts';
import { type CatalogFunction, catalogFunction } from '../../infra/function-catalog.ts';
import type {
  InvocationAnswer,
  InvocationMessage,
  LambdaErrorPayload,
  PrototypeKeys,
  ReadyMessage,
  WorkerData,
} from './worker.ts';

/** `bundled`: the esbuild bundles the stack deploys. `source`: the TypeScript, for debugging. */
export type FunctionsMode = 'bundled' | 'source';

/**
 * A failed invocation as Step Functions sees a Lambda task's failure: `name` is the runtime's
 * errorType (the thrown error's name, which Retry and Catch match), `message` the Cause, the
 * JSON `{"errorType","errorMessage","trace"}` the runtime wrote.
 */
export class LambdaFunctionError extends Error {
  override name: string;
  readonly payload: LambdaErrorPayload;
  constructor(payload: LambdaErrorPayload) {
    super(JSON.stringify(payload));
    this.name = payload.errorType;
    this.payload = payload;
  }
}

export interface LocalFunctionsOptions {
  /** @default LOCAL_FUNCTIONS from the environment, else `bundled` */
  readonly mode?: FunctionsMode;
  /** Bundles already built. @default built (or reused) on the first invocation */
  readonly bundles?: Promise<BuiltFunctions> | BuiltFunctions;
  /**
   * The variables a function gets on top of the process environment at each invocation
   * (its identity, its endpoints). Read at every invocation, as tests change the environment.
   */
  readonly environmentOf?: (fn: CatalogFunction) => Promise<Record<string, string>>;
  /**
   * Execution environments per function at most; further invocations wait their turn.
   * @default LOCAL_LAMBDA_CONCURRENCY, else 4
   */
  readonly maxConcurrencyPerFunction?: number;
  /**
   * How long an invocation may run before it ends as Lambda ends it: `Sandbox.Timedout`, its
   * execution environment discarded (the next invocation starts cold).
   * @default the function's Lambda timeout (infra/function-catalog.ts `timeoutSeconds`)
   */
  readonly timeoutMs?: number;
}

/** What a function's invocations cost so far, in this process (the bench reads it). */
export interface FunctionStats {
  readonly invocations: number;
  /** Execution environments started (cold starts). */
  readonly coldStarts: number;
  /** Time invocations waited for an environment: a cold start, or a busy pool at its limit. */
  readonly waitMs: number;
  /** Time invocations waited only because the pool was at its limit (queued, as throttled). */
  readonly queuedMs: number;
  /** Time the handlers ran (message posted → answer back). */
  readonly runMs: number;
  /** CPU time of the environments' threads: the invocations' own, and their inits'. */
  readonly cpuMs: number;
  readonly initCpuMs: number;
}

/** A function's stats before its first invocation. */
export const NO_FUNCTION_STATS: FunctionStats = {
  invocations: 0,
  coldStarts: 0,
  waitMs: 0,
  queuedMs: 0,
  runMs: 0,
  cpuMs: 0,
  initCpuMs: 0,
};

interface Environment {
  readonly probes: Map<number, (keys: PrototypeKeys) => void>;
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** The bundle (or source) it loaded. */
  readonly file: string;
  /** Its load-time variables (loadTimeKey): it serves only invocations with the same. */
  readonly loadKey: string;
  /** What its end (a crash, an exit) does: set by whoever holds it now. */
  onEnd: (reason: string) => void;
  busy: boolean;
  /** The variables last sent to it: an invocation sends them again only when they changed. */
  environmentKey?: string;
  /** The invocation it runs, answered by the worker or by its crash. */
  running?: { readonly id: number; resolve(answer: InvocationAnswer): void };
}

/** The functions of the stack, invocable by name, each in its own execution environments. */
export class LocalFunctions {
  readonly mode: FunctionsMode;
  readonly #options: LocalFunctionsOptions;
  readonly #pools = new Map<string, Environment[]>();
  readonly #waiting = new Map<string, Array<() => void>>();
  /** Environments being started (their bundle located), by function: they count to the limit. */
  readonly #starting = new Map<string, number>();
  readonly #stats = new Map<
    string,
    { -readonly [Figure in keyof FunctionStats]: FunctionStats[Figure] }
  >();
  #bundles: Promise<BuiltFunctions> | undefined;
  #nextId = 0;
  #stopped = false;

  constructor(options: LocalFunctionsOptions = {}) {
    this.#options = options;
    this.mode = options.mode ?? functionsModeFromEnvironment();
    if (options.bundles) this.#bundles = Promise.resolve(options.bundles);
  }

  /** The file an environment of `fn` loads. */
  async fileOf(fn: CatalogFunction): Promise<string> {
    if (this.mode === 'source') return join(PROJECT_ROOT, fn.entry);
    // A test run builds once in its global setup and names the directory here.
    const prebuilt = process.env.LOCAL_FUNCTIONS_BUNDLES;
    this.#bundles ??= prebuilt
      ? Promise.resolve({ directory: prebuilt, seconds: 0, reused: true, rebuilt: [] })
      : buildFunctionBundles();
    return bundleFileOf((await this.#bundles).directory, fn.entry);
  }

  /**
   * Invokes a function synchronously, as Step Functions or API Gateway does.
   *
   * @returns the handler's result, through JSON
   * @throws LambdaFunctionError when the handler threw
   */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = catalogFunction(name);
    const environment = {
      ...definedVariables(process.env),
      AWS_LAMBDA_FUNCTION_NAME: `efs-volumes-${fn.name}`,
      ...(await this.#options.environmentOf?.(fn)),
    };
    const stats = this.#statsOf(fn.name);
    stats.invocations++;
    const asked = performance.now();
    const sandbox = await this.#acquire(fn, environment, stats);
    const acquired = performance.now();
    stats.waitMs += acquired - asked;
    try {
      const id = this.#nextId++;
      const timeoutMs = this.#options.timeoutMs ?? fn.timeoutSeconds * 1000;
      const requestId = randomUUID();
      const answer = await new Promise<InvocationAnswer>((resolve) => {
        const timer = setTimeout(() => {
          if (sandbox.running?.id !== id) return;
          sandbox.running = undefined;
          this.#discard(fn, sandbox);
          resolve({ id, ok: false, error: timedOut(requestId, timeoutMs), cpuMs: 0 });
        }, timeoutMs);
        timer.unref();
        sandbox.running = {
          id,
          resolve: (answered) => {
            clearTimeout(timer);
            resolve(answered);
          },
        };
        // The variables go along only when they changed since this environment's last
        // invocation (tests change them; a run of invocations does not).
        const environmentKey = JSON.stringify(environment);
        const changed = sandbox.environmentKey !== environmentKey;
        sandbox.environmentKey = environmentKey;
        const message: InvocationMessage = {
          id,
          event,
          ...(changed ? { environment } : {}),
          requestId,
          deadline: Date.now() + timeoutMs,
        };
        sandbox.worker.postMessage(message);
      });
      stats.runMs += performance.now() - acquired;
      stats.cpuMs += answer.cpuMs;
      if (!answer.ok) throw new LambdaFunctionError(answer.error);
      return answer.payload === undefined ? null : JSON.parse(answer.payload);
    } finally {
      this.#release(fn, sandbox);
    }
  }

  #statsOf(name: string) {
    let stats = this.#stats.get(name);
    if (!stats) {
      stats = { ...NO_FUNCTION_STATS };
      this.#stats.set(name, stats);
    }
    return stats;
  }

  /** Invocations, cold starts and where their time went, by function, since this began. */
  stats(): Map<string, FunctionStats> {
    return new Map([...this.#stats].map(([name, stats]) => [name, { ...stats }]));
  }

  async #acquire(
    fn: CatalogFunction,
    environment: Record<string, string>,
    stats: { coldStarts: number; queuedMs: number },
  ): Promise<Environment> {
    if (this.#stopped) throw new Error('the local functions are stopped');
    const loadKey = loadTimeKey(environment);
    for (;;) {
      // Started with other load-time variables (another endpoint, other keys): its SDK
      // clients would still use those, so it ends, as Lambda replaces the environments of a
      // function whose configuration changed.
      for (const stale of (this.#pools.get(fn.name) ?? []).filter(
        (candidate) => !candidate.busy && candidate.loadKey !== loadKey,
      )) {
        this.#discard(fn, stale);
      }
      // Read again each time round: a discarded or crashed environment replaces the array.
      const pool = this.#pools.get(fn.name) ?? [];
      this.#pools.set(fn.name, pool);
      const idle = pool.find((candidate) => !candidate.busy);
      if (idle) {
        idle.busy = true;
        await idle.ready;
        return idle;
      }
      const starting = this.#starting.get(fn.name) ?? 0;
      if (pool.length + starting < this.maxConcurrencyPerFunction) {
        // Counted before the first await: a burst of invocations cannot all see room for one
        // more and start more environments than the limit.
        this.#starting.set(fn.name, starting + 1);
        let file: string;
        try {
          file = await this.fileOf(fn);
        } finally {
          this.#starting.set(fn.name, (this.#starting.get(fn.name) ?? 1) - 1);
        }
        const kept = unpark(fn.name, file, loadKey);
        const created = kept ?? this.#start(fn, file, environment, loadKey);
        if (kept) {
          kept.onEnd = (reason) => this.#ended(fn, kept, reason);
        } else {
          stats.coldStarts++;
        }
        created.busy = true;
        // The array as it is after the await (a crash meanwhile replaced it).
        const latest = this.#pools.get(fn.name) ?? [];
        latest.push(created);
        this.#pools.set(fn.name, latest);
        await created.ready;
        return created;
      }
      const queued = performance.now();
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(fn.name) ?? [];
        queue.push(resolve);
        this.#waiting.set(fn.name, queue);
      });
      stats.queuedMs += performance.now() - queued;
    }
  }

  /**
   * What the built-in prototypes of every live execution environment hold, by function: a
   * handler that let a request's `__proto__` merge into them would show an extra key here.
   */
  async prototypeKeys(): Promise<Map<string, PrototypeKeys[]>> {
    const result = new Map<string, PrototypeKeys[]>();
    for (const [name, pool] of this.#pools) {
      const answers = await Promise.all(
        pool.map(async (sandbox) => {
          await sandbox.ready;
          const probe = this.#nextId++;
          return new Promise<PrototypeKeys>((resolve) => {
            sandbox.probes.set(probe, resolve);
            sandbox.worker.postMessage({ probe });
          });
        }),
      );
      result.set(name, answers);
    }
    return result;
  }

  /** Execution environments per function at most (see LocalFunctionsOptions). */
  get maxConcurrencyPerFunction(): number {
    return this.#options.maxConcurrencyPerFunction ?? defaultMaxConcurrency();
  }

  /** How many execution environments `name` has now (started, idle or busy). */
  environmentCount(name: string): number {
    return this.#pools.get(name)?.length ?? 0;
  }

  /** Takes an environment out of the pool and ends it, as Lambda does after a timeout. */
  #discard(fn: CatalogFunction, sandbox: Environment): void {
    this.#pools.set(
      fn.name,
      (this.#pools.get(fn.name) ?? []).filter((candidate) => candidate !== sandbox),
    );
    void sandbox.worker.terminate();
  }

  #release(fn: CatalogFunction, sandbox: Environment): void {
    sandbox.busy = false;
    this.#waiting.get(fn.name)?.shift()?.();
  }

  #start(
    fn: CatalogFunction,
    file: string,
    environment: Record<string, string>,
    loadKey: string,
  ): Environment {
    const workerData: WorkerData = {
      file,
      compileCache: COMPILE_CACHE,
      functionName: `efs-volumes-${fn.name}`,
      memoryMB: fn.kubernetesGroup === 'writer' ? 512 : 256,
    };
    const worker = new Worker(workerEntry(), {
      workerData,
      // The module loads with the function's environment, as in Lambda (the SDK clients and
      // the Logger read it once, at init).
      env: environment,
    });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: ReadyMessage) => {
        this.#statsOf(fn.name).initCpuMs += message.cpuMs;
        resolve();
      });
    });
    ready.catch(() => undefined);
    const sandbox: Environment = {
      worker,
      ready,
      file,
      loadKey,
      busy: false,
      probes: new Map(),
      onEnd: (reason) => this.#ended(fn, sandbox, reason),
    };
    worker.on('message', (answer: InvocationAnswer | PrototypeKeys | ReadyMessage) => {
      if ('probe' in answer) {
        sandbox.probes.get(answer.probe)?.(answer);
        sandbox.probes.delete(answer.probe);
        return;
      }
      if (!('id' in answer) || sandbox.running?.id !== answer.id) return;
      const { resolve } = sandbox.running;
      sandbox.running = undefined;
      resolve(answer);
    });
    worker.on('error', (error: unknown) => sandbox.onEnd(String(error)));
    worker.on('exit', (code) => sandbox.onEnd(`exit code ${code}`));
    return sandbox;
  }

  /** A crash fails what the environment was running and takes it out of the pool. */
  #ended(fn: CatalogFunction, sandbox: Environment, reason: string): void {
    const pool = this.#pools.get(fn.name) ?? [];
    this.#pools.set(
      fn.name,
      pool.filter((candidate) => candidate !== sandbox),
    );
    const running = sandbox.running;
    sandbox.running = undefined;
    running?.resolve({
      id: running.id,
      ok: false,
      cpuMs: 0,
      error: {
        errorType: 'Runtime.ExitError',
        errorMessage: `the execution environment of ${fn.name} ended: ${reason}`,
        trace: [],
      },
    });
  }

  /**
   * Ends every execution environment; with keepEnvironmentsAcrossStacks(), the idle ones are
   * kept for the next LocalFunctions of this process instead.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const ending: Worker[] = [];
    for (const [name, pool] of this.#pools) {
      for (const sandbox of pool) {
        if (!keepingAcrossStacks || sandbox.busy || sandbox.running) ending.push(sandbox.worker);
        else ending.push(...park(name, sandbox));
      }
    }
    this.#pools.clear();
    await Promise.all(ending.map((worker) => worker.terminate()));
  }
}

/**
 * The variables a module reads once, when it loads: the SDK clients' endpoints, region and
 * keys, Powertools' names, Node's options. An environment serves only invocations whose
 * load-time variables are those it started with; the others (the settings) reach it at each
 * invocation, as the handlers read them at each call.
 */
const LOAD_TIME_VARIABLE = /^(AWS_|POWERTOOLS_|NODE_OPTIONS$)/;

function loadTimeKey(environment: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(environment)
      .filter(([name]) => LOAD_TIME_VARIABLE.test(name))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

let keepingAcrossStacks = false;

/**
 * The idle execution environments of stopped LocalFunctions, by function, oldest parked first:
 * those of the PARKED_CONFIGURATIONS bundles and load-time variables (configurations) parked
 * last are kept.
 */
const parked = new Map<string, Environment[]>();

/**
 * How many configurations of a function keep parked environments. More than one: a test file
 * with a configuration of its own (another log level, one attempt per call) no longer ends the
 * environments every other file uses, which the next file then started again (some 60 cold
 * starts in a run, 15 s of CPU). At most this many times the concurrency limit per function.
 */
const PARKED_CONFIGURATIONS = 3;

/**
 * Keeps the idle execution environments of a stopped LocalFunctions for the next one of this
 * process with the same bundles and load-time variables, as Lambda keeps a function's
 * environments warm between invocations. The tests use it: each test file starts a local
 * stack of its own, and a test process runs many files; a cold start costs 150 ms of CPU,
 * and a handler's first invocations run cold code several times slower.
 */
export function keepEnvironmentsAcrossStacks(): void {
  keepingAcrossStacks = true;
}

const configurationOf = (sandbox: Environment) => `${sandbox.file}\n${sandbox.loadKey}`;

/** Parks an environment; answers the workers it displaced (of older configurations), to be ended. */
function park(name: string, sandbox: Environment): Worker[] {
  const list = [...(parked.get(name) ?? []), sandbox];
  const newest = new Set(
    [...new Set(list.map(configurationOf).reverse())].slice(0, PARKED_CONFIGURATIONS),
  );
  const kept = list.filter((other) => newest.has(configurationOf(other)));
  const displaced = list.filter((other) => !newest.has(configurationOf(other)));
  sandbox.environmentKey = undefined;
  sandbox.onEnd = () => {
    parked.set(
      name,
      (parked.get(name) ?? []).filter((other) => other !== sandbox),
    );
  };
  parked.set(name, kept);
  return displaced.map((other) => other.worker);
}

function unpark(name: string, file: string, loadKey: string): Environment | undefined {
  const list = parked.get(name) ?? [];
  const index = list.findIndex((other) => other.file === file && other.loadKey === loadKey);
  if (index < 0) return undefined;
  const [found] = list.splice(index, 1);
  return found;
}

/**
 * What Lambda reports for an invocation that ran out of time (the Invoke API's FunctionError
 * payload): errorType `Sandbox.Timedout`, which Step Functions passes on as the Task's error.
 */
function timedOut(requestId: string, timeoutMs: number): LambdaErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
    trace: [],
  };
}

/**
 * Execution environments per function unless told (LOCAL_LAMBDA_CONCURRENCY, else 4): a
 * local-mode choice, not Lambda's (which scales a function to the account's 1,000). Beyond it
 * invocations wait their turn, first come first served, as Lambda queues an asynchronous
 * invocation it throttles; a synchronous caller here waits instead of getting a 429.
 */
function defaultMaxConcurrency(): number {
  return Number(process.env.LOCAL_LAMBDA_CONCURRENCY) || 4;
}

/** The execution environments' compile cache (see WorkerData), beside the bundles. */
const COMPILE_CACHE = join(PROJECT_ROOT, '.build', 'compile-cache');

let workerUrl: URL | undefined;

/**
 * worker.ts as JavaScript, transpiled once per process: a worker that loaded the TypeScript
 * itself would load Node's type stripper in every execution environment (about 70 ms each).
 */
function workerEntry(): URL {
  if (!workerUrl) {
    const source = readFileSync(new URL('./worker.ts', import.meta.url), 'utf8');
    const { code } = transformSync(source, { loader: 'ts', format: 'esm', target: 'node24' });
    workerUrl = new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  }
  return workerUrl;
}

function definedVariables(environment: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/** LOCAL_FUNCTIONS=source runs the TypeScript sources; anything else, the bundles. */
export function functionsModeFromEnvironment(): FunctionsMode {
  return process.env.LOCAL_FUNCTIONS === 'source' ? 'source' : 'bundled';
}
