// A Step Functions endpoint on loopback that runs the real ASL files with
// aws-local-stepfunctions, speaking the AWS JSON 1.0 protocol the SDK's SFNClient uses, so the
// request functions start executions exactly as in AWS (only AWS_ENDPOINT_URL_SFN differs).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
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

export interface LocalStepFunctions {
  readonly endpoint: string;
  readonly arns: Readonly<Record<string, string>>;
  /** Resolves when every execution started so far has ended. */
  idle(): Promise<void>;
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
  options: { port?: number; run?: LocalRunOptions } = {},
): Promise<LocalStepFunctions> {
  const byArn = new Map(machines.map((machine) => [stateMachineArn(machine.name), machine]));
  const executions = new Map<string, Execution>();

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
        execution.output = JSON.stringify(await run.result);
        execution.status = 'SUCCEEDED';
      } catch (error) {
        execution.status = 'FAILED';
        const failure = unwrapExecutionError(error);
        execution.error = failure.name;
        execution.cause = failure.message;
      }
      execution.stopDate = Date.now() / 1000;
      await logging.catch(() => undefined);
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
