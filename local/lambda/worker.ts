// One Lambda execution environment: a worker thread that loads one function's handler (its
// bundle, or its source with --source) with that function's own environment, and runs one
// invocation at a time, answering as the Lambda runtime does: the result as JSON, or the
// error as errorType (the thrown error's `name`), errorMessage and trace.
import { enableCompileCache } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';

export interface WorkerData {
  readonly file: string;
  /**
   * Where V8 keeps the compiled code of the bundles between environments (node:module's
   * compile cache): a cold start still loads and runs the module, as Lambda's does, but does
   * not compile the same 0.5–1.2 MB again for each of the dozens of environments a run starts.
   */
  readonly compileCache: string;
  readonly functionName: string;
  readonly memoryMB: number;
}

export interface InvocationMessage {
  readonly id: number;
  readonly event: unknown;
  /** The invocation's variables; absent when they are those of this environment's last one. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly deadline: number;
}

/** What the Lambda runtime reports for a failed invocation. */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** Asks an environment what its built-in prototypes hold (test/integration/hostile-input). */
export interface PrototypeProbe {
  readonly probe: number;
}

/** The own property names of the prototypes a polluting merge would write to, sorted. */
export interface PrototypeKeys {
  readonly probe: number;
  readonly object: readonly string[];
  readonly array: readonly string[];
  readonly function: readonly string[];
}

/** The thread's CPU time (user + system) the invocation took, in milliseconds. */
interface Spent {
  readonly cpuMs: number;
}

export type InvocationAnswer =
  | (Spent & { readonly id: number; readonly ok: true; readonly payload: string | undefined })
  | (Spent & { readonly id: number; readonly ok: false; readonly error: LambdaErrorPayload });

/** The first message: the environment is ready, after `cpuMs` of its thread's CPU (its init). */
export interface ReadyMessage extends Spent {
  readonly ready: true;
}

/** This thread's CPU time so far, in milliseconds. */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('local/lambda/worker.ts runs as a worker thread');

/** The environment of this invocation, as Lambda gives each one: exactly these variables. */
function useEnvironment(environment: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(process.env)) {
    if (!(name in environment)) delete process.env[name];
  }
  Object.assign(process.env, environment);
}

function contextFor(message: InvocationMessage): Context {
  const name = data.functionName;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:123456789012:function:${name}`,
    memoryLimitInMB: String(data.memoryMB),
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** As the Node.js runtime formats a thrown value (aws-lambda-nodejs-runtime-interface-client). */
function lambdaError(error: unknown): LambdaErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

enableCompileCache(data.compileCache);
const { handler } = (await import(pathToFileURL(data.file).href)) as { handler: Handler };

port.on('message', async (message: InvocationMessage | PrototypeProbe) => {
  if ('probe' in message) {
    const keys = (prototype: object) => Object.getOwnPropertyNames(prototype).sort();
    const answer: PrototypeKeys = {
      probe: message.probe,
      object: keys(Object.prototype),
      array: keys(Array.prototype),
      function: keys(Function.prototype),
    };
    port.postMessage(answer);
    return;
  }
  const started = threadCpuMs();
  if (message.environment) useEnvironment(message.environment);
  let answer: InvocationAnswer;
  try {
    const result = await handler(message.event, contextFor(message));
    // Lambda hands Step Functions and API Gateway the result as JSON, nothing richer.
    const payload = JSON.stringify(result);
    answer = { id: message.id, ok: true, payload, cpuMs: threadCpuMs() - started };
  } catch (error) {
    const failure = lambdaError(error);
    answer = { id: message.id, ok: false, error: failure, cpuMs: threadCpuMs() - started };
  }
  port.postMessage(answer);
});
const ready: ReadyMessage = { ready: true, cpuMs: threadCpuMs() };
port.postMessage(ready);
