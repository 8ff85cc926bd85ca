// An HTTP server on loopback that keeps every request it receives and answers each with an
// empty success, so a test can see what the AWS SDK really sends for a command.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsHttpRequest } from '../../local/aws-calls/describe-call.ts';

export interface RequestCapture {
  readonly endpoint: string;
  /** The requests received so far, oldest first. */
  readonly requests: AwsHttpRequest[];
  /** Forgets what was received. */
  clear(): void;
  stop(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the capturing server; EC2 and STS get an empty XML answer, the rest `{}`. */
export async function startRequestCapture(): Promise<RequestCapture> {
  const requests: AwsHttpRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    requests.push({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body,
    });
    const xml = /Action=/.test(body);
    response.writeHead(200, { 'content-type': xml ? 'text/xml' : 'application/json' });
    response.end(xml ? '<Response></Response>' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    clear: () => {
      requests.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
