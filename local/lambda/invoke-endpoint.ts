// Lambda's Invoke API on loopback, for the functions that invoke others (CheckVolumes sends
// each batch of READY volumes to CheckVolumeBatch): the SDK's LambdaClient reaches it through
// AWS_ENDPOINT_URL_LAMBDA, behind the door that records every AWS call
// (aws-call-recorder.ts), and it runs the stack's function in local mode's runtime, as Lambda
// runs it. RequestResponse, Event and DryRun, with Lambda's answers: 200 and the payload (a
// function's error as `X-Amz-Function-Error: Unhandled` with its error payload), 202, 204;
// an unknown function is 404 `ResourceNotFoundException`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { LAMBDA_INVOKE_PATH, lambdaFunctionName } from '../aws-calls/describe-call.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../credentials.ts';
import { localFunctions } from './local-functions.ts';
import { LambdaFunctionError } from './runtime.ts';

export interface InvokeEndpoint {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * The catalog name a FunctionName means: a name (`CheckVolumeBatch`, or the deployed-looking
 * `efs-volumes-CheckVolumeBatch`), or a full or partial ARN of one.
 */
export function catalogNameOf(functionName: string): string | undefined {
  const name = lambdaFunctionName(decodeURIComponent(functionName))
    .replace(/:[^:]+$/, '')
    .replace(/^efs-volumes-/, '');
  return FUNCTION_CATALOG.some((fn) => fn.name === name) ? name : undefined;
}

function answer(
  outgoing: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  outgoing.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  outgoing.end(text);
}

function refuse(outgoing: ServerResponse, status: number, type: string, message: string): void {
  answer(outgoing, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const url = new URL(incoming.url ?? '/', 'http://localhost');
  const match = LAMBDA_INVOKE_PATH.exec(url.pathname);
  if (incoming.method !== 'POST' || !match) {
    refuse(
      outgoing,
      404,
      'UnknownOperationException',
      `local mode serves only Invoke, not ${incoming.method} ${url.pathname}`,
    );
    return;
  }
  const name = catalogNameOf(match[1] as string);
  if (!name) {
    refuse(
      outgoing,
      404,
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${decodeURIComponent(match[1] as string)}`,
    );
    return;
  }
  const type = String(incoming.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const text = Buffer.concat(chunks).toString('utf8');
  let event: unknown = {};
  try {
    event = text ? JSON.parse(text) : {};
  } catch {
    refuse(
      outgoing,
      400,
      'InvalidRequestContentException',
      'Could not parse request body into json',
    );
    return;
  }
  if (type === 'DryRun') {
    answer(outgoing, 204, undefined);
    return;
  }
  if (type === 'Event') {
    // Lambda queues it and answers at once; a failure is the function's log's business.
    void localFunctions()
      .invoke(name, event)
      .catch(() => undefined);
    answer(outgoing, 202, undefined);
    return;
  }
  if (type !== 'RequestResponse') {
    refuse(outgoing, 400, 'InvalidParameterValueException', `unknown invocation type ${type}`);
    return;
  }
  try {
    const payload = await localFunctions().invoke(name, event);
    answer(outgoing, 200, payload, { 'x-amz-executed-version': '$LATEST' });
  } catch (error) {
    if (!(error instanceof LambdaFunctionError)) throw error;
    answer(outgoing, 200, error.payload, {
      'x-amz-executed-version': '$LATEST',
      'x-amz-function-error': 'Unhandled',
    });
  }
}

/** Starts the Invoke endpoint on a free loopback port. */
export async function startInvokeEndpoint(): Promise<InvokeEndpoint> {
  const server: Server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent) {
        refuse(outgoing, 500, 'ServiceException', `local Invoke failed: ${String(error)}`);
      } else {
        outgoing.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
