// Counts and times the AWS calls the service's handlers make, by putting one middleware on
// each module-level SDK client of functions/commons/clients/*.ts (the very instances the API
// handlers and the workflow steps use locally). Each call is told apart by where it came from:
// the API's code or a workflow step's, read off its async stack.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './esbuild-options.ts';

export type CallOrigin = 'api' | 'step' | 'other';

export interface SdkCall {
  readonly command: string;
  readonly origin: CallOrigin;
  /** performance.now() when it started. */
  readonly startedAt: number;
  readonly ms: number;
}

interface TraceableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string; clientName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

function isTraceable(value: unknown): value is TraceableClient {
  const stack = (value as { middlewareStack?: { add?: unknown } } | undefined)?.middlewareStack;
  return typeof stack?.add === 'function';
}

function originOfStack(stack: string): CallOrigin {
  if (/\/functions\/(api|lib\/api)\//.test(stack)) return 'api';
  if (/\/functions\/(steps|lib\/provision)\//.test(stack)) return 'step';
  return 'other';
}

/** Where this call was made from, read off the async stack (long enough to reach the caller). */
function callOrigin(): CallOrigin {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 80;
  const stack = new Error('origin').stack ?? '';
  Error.stackTraceLimit = limit;
  return originOfStack(stack);
}

export class SdkCallTrace {
  readonly calls: SdkCall[] = [];
  #recording = false;

  /** Installs the middleware on every client module; once per process. */
  static async install(): Promise<SdkCallTrace> {
    const trace = new SdkCallTrace();
    const folder = `${PROJECT_ROOT}functions/commons/clients/`;
    // A DynamoDBDocumentClient shares its client's stack: one middleware per stack.
    const stacks = new Set<unknown>();
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      const module = (await import(pathToFileURL(`${folder}${file}`).href)) as Record<
        string,
        unknown
      >;
      for (const client of Object.values(module)) {
        if (!isTraceable(client) || stacks.has(client.middlewareStack)) continue;
        stacks.add(client.middlewareStack);
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (!trace.#recording) return next(args);
            const origin = callOrigin();
            const startedAt = performance.now();
            try {
              return await next(args);
            } finally {
              trace.calls.push({
                command: `${(context.clientName ?? '').replace(/Client$/, '')}:${(context.commandName ?? '?').replace(/Command$/, '')}`,
                origin,
                startedAt,
                ms: performance.now() - startedAt,
              });
            }
          },
          { step: 'initialize', name: 'benchSdkCallTrace' },
        );
      }
    }
    return trace;
  }

  /** Records the calls made while `work` runs. */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; calls: SdkCall[] }> {
    const from = this.calls.length;
    this.#recording = true;
    try {
      const result = await work();
      return { result, calls: this.calls.slice(from) };
    } finally {
      this.#recording = false;
    }
  }
}
