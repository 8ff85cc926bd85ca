// A small recording proxy in front of moto for the IAM pipeline test: each request is
// described and resolved (local/aws-calls) under the function name the test says is calling,
// then forwarded. The lead's recorder does the same for the whole suite, naming callers by
// their access keys.
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { type RecordedAwsCall, recordAwsCalls } from '../../local/aws-calls/recorded-call.ts';

export interface RecordingProxy {
  readonly endpoint: string;
  readonly calls: RecordedAwsCall[];
  /** Names the function whose calls come next. */
  actAs(functionName: string): void;
  stop(): Promise<void>;
}

export async function startRecordingProxy(
  upstream: string,
  site: { accountId: string; region: string },
): Promise<RecordingProxy> {
  const config = {
    endpoint: upstream,
    region: site.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const clients = { efs: new EFSClient(config), ec2: new EC2Client(config) };
  const calls: RecordedAwsCall[] = [];
  let functionName = 'unnamed';
  const target = new URL(upstream);

  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body: body.toString('utf8'),
    };
    try {
      calls.push(...(await recordAwsCalls(request, { ...site, functionName, clients })));
    } catch (error) {
      outgoing.writeHead(500, { 'content-type': 'text/plain' });
      outgoing.end(`recording failed: ${String(error)}`);
      return;
    }
    const upstreamRequest = forward(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstreamRequest.on('error', () => outgoing.destroy());
    upstreamRequest.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    actAs: (name) => {
      functionName = name;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
