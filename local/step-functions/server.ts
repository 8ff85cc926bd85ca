// A Step Functions endpoint on loopback that runs the real ASL files with
// aws-local-stepfunctions, speaking the AWS JSON 1.0 protocol the SDK's SFNClient uses, so the
// request functions start executions exactly as in AWS (only AWS_ENDPOINT_URL_SFN differs).

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ExecutionStatus,
  ExecutionStatusChangeEvent,
} from '../../functions/lib/workflow/execution-status-change.ts';
import {
  EXECUTION_STATUS_CHANGE,
  STATES_SOURCE,
} from '../../functions/lib/workflow/execution-status-change.ts';
import { type LocalRunOptions, runLocalWorkflow, unwrapExecutionError } from './local-workflow.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export interface LocalStateMachine {
  readonly name: string;
  readonly definitionFile: URL;
}

export function stateMachineArn(name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
}

interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly stateEnteredEventDetails?: { name: string };
}

interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  done: Promise<void>;
}

class ServiceError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export interface LocalStepFunctionsOptions {
  readonly port?: number;
  readonly run?: LocalRunOptions;
  /**
   * Receives a "Step Functions Execution Status Change" event when an execution ends, shaped as
   * EventBridge delivers it to a rule's target (local/stack.ts routes it as the stack's rule).
   */
  readonly onStatusChange?: (event: ExecutionStatusChangeEvent) => Promise<unknown>;
}

/** The top-level `TimeoutSeconds` of an ASL file, if it has one. */
function executionTimeoutSeconds(file: URL): number | undefined {
  const { TimeoutSeconds } = JSON.parse(readFileSync(file, 'utf8')) as { TimeoutSeconds?: number };
  return TimeoutSeconds;
}

/** The event Step Functions puts on the default bus when an execution's status changes. */
export function statusChangeEvent(execution: {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}): ExecutionStatusChangeEvent {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': EXECUTION_STATUS_CHANGE,
    source: STATES_SOURCE,
    account: ACCOUNT,
    time: new Date((execution.stopDate ?? execution.startDate) * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      // EventBridge gives epoch milliseconds here (the API gives seconds).
      startDate: Math.round(execution.startDate * 1000),
      stopDate: execution.stopDate === undefined ? null : Math.round(execution.stopDate * 1000),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output ?? null,
      outputDetails: execution.output === undefined ? null : { included: true },
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    } as ExecutionStatusChangeEvent['detail'],
  };
}

export interface LocalStepFunctions {
  readonly endpoint: string;
  readonly arns: Readonly<Record<string, string>>;
  /** Resolves when every execution started so far has ended. */
  idle(): Promise<void>;
  /**
   * Ends a running execution now as its time limit (the ASL's `TimeoutSeconds`) would:
   * TIMED_OUT with `States.Timeout`, the step it was in abandoned. A control for the tests, in
   * place of waiting out a real limit. False when it had already ended.
   *
   * @throws ServiceError ExecutionDoesNotExist for an unknown ARN
   */
  expire(executionArn: string): boolean;
  stop(): Promise<void>;
}

/** Maps the local runner's event names to the execution history's, enough to count transitions. */
function historyType(event: { type: string; state?: { type?: string } }): string {
  if (event.type === 'StateEntered') return `${event.state?.type ?? ''}StateEntered`;
  if (event.type === 'StateExited') return `${event.state?.type ?? ''}StateExited`;
  if (event.type === 'StateRetried') return 'TaskRetried';
  return event.type;
}

export async function startLocalStepFunctions(
  machines: readonly LocalStateMachine[],
  options: LocalStepFunctionsOptions = {},
): Promise<LocalStepFunctions> {
  const byArn = new Map(machines.map((machine) => [stateMachineArn(machine.name), machine]));
  const executions = new Map<string, Execution>();
  const runs = new Map<string, { abort(): void }>();
  /** Set by stop(): the executions it ends deliver no status change. */
  let stopping = false;
  const aslTimeLimits = new Map(
    machines.map((machine) => {
      const seconds = executionTimeoutSeconds(machine.definitionFile);
      const scaled =
        seconds === undefined ? undefined : seconds * 1000 * (options.run?.timeScale ?? 1);
      return [machine.name, scaled] as const;
    }),
  );

  /** Ends a running execution from outside (StopExecution, its time limit); false if it ended. */
  function end(
    execution: Execution,
    status: 'ABORTED' | 'TIMED_OUT',
    error?: string,
    cause?: string,
  ): boolean {
    if (execution.status !== 'RUNNING') return false;
    execution.status = status;
    execution.stopDate = Date.now() / 1000;
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    runs.get(execution.executionArn)?.abort();
    return true;
  }

  function start(request: { stateMachineArn?: string; name?: string; input?: string }) {
    const machine = byArn.get(request.stateMachineArn ?? '');
    if (!machine)
      throw new ServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    const name = request.name ?? crypto.randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
      throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine.name}:${name}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // As in AWS: the same name and input of a running execution is the same execution.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new ServiceError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const run = runLocalWorkflow(machine.definitionFile, parsed, {
      ...options.run,
      executionName: name,
    });
    const history: HistoryEvent[] = [];
    const execution: Execution = {
      executionArn,
      stateMachineArn: stateMachineArn(machine.name),
      name,
      input,
      startDate: Date.now() / 1000,
      status: 'RUNNING',
      history,
      done: Promise.resolve(),
    };
    runs.set(executionArn, run);
    const limit = aslTimeLimits.get(machine.name);
    const timer =
      limit === undefined
        ? undefined
        : setTimeout(() => end(execution, 'TIMED_OUT', 'States.Timeout'), limit);
    execution.done = (async () => {
      const logging = (async () => {
        for await (const event of run.eventLogs) {
          const details = (event as { state?: { name: string; type?: string } }).state;
          history.push({
            id: history.length + 1,
            previousEventId: history.length,
            timestamp: (event as { timestamp: number }).timestamp / 1000,
            type: historyType(event as { type: string; state?: { type?: string } }),
            ...(details && event.type === 'StateEntered'
              ? { stateEnteredEventDetails: { name: details.name } }
              : {}),
          });
        }
      })();
      try {
        const output = JSON.stringify(await run.result);
        if (execution.status === 'RUNNING') {
          execution.output = output;
          execution.status = 'SUCCEEDED';
        }
      } catch (error) {
        const failure = unwrapExecutionError(error);
        // Stopped or out of time from here: that status stands. The library's own top-level
        // timeout (when no shorter limit is set here) is a time-out too.
        if (failure.name === 'ExecutionTimeoutError') {
          end(execution, 'TIMED_OUT', 'States.Timeout');
        } else if (execution.status === 'RUNNING') {
          execution.status = 'FAILED';
          execution.error = failure.name;
          execution.cause = failure.message;
        }
      }
      clearTimeout(timer);
      runs.delete(executionArn);
      execution.stopDate ??= Date.now() / 1000;
      await logging.catch(() => undefined);
      // As Step Functions does, every end is an event; the stack's rule picks which to deliver.
      if (!stopping) {
        await options.onStatusChange?.(statusChangeEvent(execution)).catch(() => undefined);
      }
    })();
    executions.set(executionArn, execution);
    return execution;
  }

  function describe(arn: string | undefined): Execution {
    const execution = executions.get(arn ?? '');
    if (!execution)
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      const execution = start(body as { stateMachineArn?: string; name?: string; input?: string });
      return { executionArn: execution.executionArn, startDate: execution.startDate };
    },
    DescribeExecution: (body) => {
      const {
        history: _history,
        done: _done,
        ...execution
      } = describe(body.executionArn as string);
      return execution;
    },
    StopExecution: (body) => {
      const execution = describe(body.executionArn as string);
      end(execution, 'ABORTED', body.error as string | undefined, body.cause as string | undefined);
      return { stopDate: execution.stopDate ?? Date.now() / 1000 };
    },
    GetExecutionHistory: (body) => ({ events: describe(body.executionArn as string).history }),
    ListExecutions: (body) => ({
      executions: [...executions.values()]
        .filter(
          (execution) =>
            !body.stateMachineArn || execution.stateMachineArn === body.stateMachineArn,
        )
        .map(({ executionArn, stateMachineArn: arn, name, status, startDate, stopDate }) => ({
          executionArn,
          stateMachineArn: arn,
          name,
          status,
          startDate,
          ...(stopDate ? { stopDate } : {}),
        })),
    }),
    ListStateMachines: () => ({
      stateMachines: machines.map((machine) => ({
        stateMachineArn: stateMachineArn(machine.name),
        name: machine.name,
        type: 'STANDARD',
        creationDate: 0,
      })),
    }),
  };

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.replace(/^AWSStepFunctions\./, '');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(body));
    };
    const operation = actions[action];
    if (!operation)
      return reply(400, { __type: 'UnknownOperationException', message: `unsupported: ${target}` });
    try {
      const body =
        chunks.length > 0
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
      reply(200, operation(body));
    } catch (error) {
      if (error instanceof ServiceError)
        return reply(400, { __type: error.type, message: error.message });
      reply(500, { __type: 'InternalServerError', message: (error as Error).message });
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arns: Object.fromEntries(
      machines.map((machine) => [machine.name, stateMachineArn(machine.name)]),
    ),
    idle: async () => {
      await Promise.all([...executions.values()].map((execution) => execution.done));
    },
    expire: (executionArn) => end(describe(executionArn), 'TIMED_OUT', 'States.Timeout'),
    stop: async () => {
      // The stack is going: its executions end with it, ABORTED, their events delivered to no
      // one. Left running, one went on into the next test file of the same process and ran a
      // step with that file's environment (its table unset: a call on the default name).
      stopping = true;
      const running = [...executions.values()].filter(
        (execution) => execution.status === 'RUNNING',
      );
      for (const execution of running) end(execution, 'ABORTED');
      // An aborted run ends at once; a bound all the same, so a stop never hangs on one.
      await Promise.race([
        Promise.all(running.map((execution) => execution.done)),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
