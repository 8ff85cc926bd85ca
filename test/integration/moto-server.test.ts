import { Agent, request as httpRequest } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/credentials.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

// local/moto-server.py: moto behind a server that keeps connections open (HTTP/1.1), reads
// a body by Content-Length or chunked, and answers every request with a Content-Length.

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly reusedSocket: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => agent.destroy());

/** DynamoDB ListTables, signed loosely (moto does not check signatures), with the body sent as asked. */
function listTables(options: { chunked?: boolean; close?: boolean } = {}): Promise<Answer> {
  const url = new URL(motoEndpoint());
  const body = '{}';
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          ...(options.chunked ? {} : { 'content-length': String(body.length) }),
          ...(options.close ? { connection: 'close' } : {}),
        },
      },
      async (answer) => {
        let text = '';
        for await (const chunk of answer) text += chunk;
        resolve({
          status: answer.statusCode ?? 0,
          headers: answer.headers,
          body: text,
          reusedSocket: outgoing.reusedSocket,
        });
      },
    );
    outgoing.on('error', reject);
    // Two writes without a Content-Length: Node sends the body chunked.
    if (options.chunked) outgoing.write(body.slice(0, 1));
    outgoing.end(options.chunked ? body.slice(1) : body);
  });
}

describe('the moto server of local mode', () => {
  it('keeps the connection open between requests, as AWS endpoints do', async () => {
    const first = await listTables();
    const second = await listTables();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toHaveProperty('TableNames');
    expect(first.headers.connection).not.toBe('close');
    expect(first.headers['content-length']).toBe(String(Buffer.byteLength(first.body)));
    expect(second.status).toBe(200);
    expect(second.reusedSocket).toBe(true);
  });

  it('reads a chunked body', async () => {
    const answer = await listTables({ chunked: true });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty('TableNames');
  });

  it('closes the connection when the client asks it to', async () => {
    const answer = await listTables({ close: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    const next = await listTables();
    expect(next.status).toBe(200);
    expect(next.reusedSocket).toBe(false);
  });
});
