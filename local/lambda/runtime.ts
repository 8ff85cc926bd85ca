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
  /** Execution environments per function at most; further invocations wait. @default 4 */
  readonly maxConcurrencyPerFunction?: number;
  /**
   * How long an invocation may run before it ends as Lambda ends it: `Sandbox.Timedout`, its
   * execution environment discarded (the next invocation starts cold).
   * @default the function's Lambda timeout (infra/function-catalog.ts `timeoutSeconds`)
   */
  readonly timeoutMs?: number;
}

interface Environment {
  readonly probes: Map<number, (keys: PrototypeKeys) => void>;
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
  /** The invocation it runs, answered by the worker or by its crash. */
  running?: { readonly id: number; resolve(answer: InvocationAnswer): void };
}

/** The functions of the stack, invocable by name, each in its own execution environments. */
export class LocalFunctions {
  readonly mode: FunctionsMode;
  readonly #options: LocalFunctionsOptions;
  readonly #pools = new Map<string, Environment[]>();
  readonly #waiting = new Map<string, Array<() => void>>();
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
      ? Promise.resolve({ directory: prebuilt, seconds: 0, reused: true })
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
      NODE_OPTIONS: '--enable-source-maps',
      ...(await this.#options.environmentOf?.(fn)),
    };
    const sandbox = await this.#acquire(fn, environment);
    try {
      const id = this.#nextId++;
      const timeoutMs = this.#options.timeoutMs ?? fn.timeoutSeconds * 1000;
      const requestId = randomUUID();
      const answer = await new Promise<InvocationAnswer>((resolve) => {
        const timer = setTimeout(() => {
          if (sandbox.running?.id !== id) return;
          sandbox.running = undefined;
          this.#discard(fn, sandbox);
          resolve({ id, ok: false, error: timedOut(requestId, timeoutMs) });
        }, timeoutMs);
        timer.unref();
        sandbox.running = {
          id,
          resolve: (answered) => {
            clearTimeout(timer);
            resolve(answered);
          },
        };
        const message: InvocationMessage = {
          id,
          event,
          environment,
          requestId,
          deadline: Date.now() + timeoutMs,
        };
        sandbox.worker.postMessage(message);
      });
      if (!answer.ok) throw new LambdaFunctionError(answer.error);
      return answer.payload === undefined ? null : JSON.parse(answer.payload);
    } finally {
      this.#release(fn, sandbox);
    }
  }

  async #acquire(fn: CatalogFunction, environment: Record<string, string>): Promise<Environment> {
    if (this.#stopped) throw new Error('the local functions are stopped');
    const pool = this.#pools.get(fn.name) ?? [];
    this.#pools.set(fn.name, pool);
    for (;;) {
      const idle = pool.find((candidate) => !candidate.busy);
      if (idle) {
        idle.busy = true;
        await idle.ready;
        return idle;
      }
      if (pool.length < (this.#options.maxConcurrencyPerFunction ?? 4)) {
        const created = this.#start(fn, await this.fileOf(fn), environment);
        created.busy = true;
        pool.push(created);
        await created.ready;
        return created;
      }
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(fn.name) ?? [];
        queue.push(resolve);
        this.#waiting.set(fn.name, queue);
      });
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

  #start(fn: CatalogFunction, file: string, environment: Record<string, string>): Environment {
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
      worker.once('message', () => resolve());
    });
    ready.catch(() => undefined);
    const sandbox: Environment = { worker, ready, busy: false, probes: new Map() };
    worker.on('message', (answer: InvocationAnswer | PrototypeKeys | { ready: true }) => {
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
    const crashed = (reason: string) => {
      // A crash fails what it was running and takes the environment out of the pool.
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
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `the execution environment of ${fn.name} ended: ${reason}`,
          trace: [],
        },
      });
    };
    worker.on('error', (error: unknown) => crashed(String(error)));
    worker.on('exit', (code) => crashed(`exit code ${code}`));
    return sandbox;
  }

  /** Ends every execution environment. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const workers = [...this.#pools.values()].flat().map((sandbox) => sandbox.worker);
    this.#pools.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
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
