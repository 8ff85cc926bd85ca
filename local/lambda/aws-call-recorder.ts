// The door every function's AWS calls cross in local mode and the tests: a proxy per upstream
// endpoint. It answers EKS DescribeCluster of a cluster local mode routed to a Kubernetes
// emulator with the emulator's endpoint and CA (local/cluster-routing.ts), so no function
// reads an override. And it records every AWS call each function makes, as the IAM
// evaluation needs it (test/iam): which function (by the access key of its role session),
// the IAM action, the resources and the tags; it reads the tags of the resource acted on
// before forwarding (a delete leaves nothing to read after). Recording is on when
// LOCAL_AWS_CALL_LOG names a JSON-lines file: the tests write .build/aws-calls/*.jsonl, local
// mode .local/aws-calls.jsonl.
// Each call of an API function goes on marked `X-Local-Priority: api`: moto serves one request
// at a time (local/moto-server.py), and serves a marked one first, as AWS never makes an API
// caller's request wait behind the workflows' (see local/README.md, "Who waits for moto").
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { recordAwsCalls } from '../aws-calls/recorded-call.ts';
import { modelTagReader, type ResourceClients } from '../aws-calls/resolve-resources.ts';
import { routedClusterOf, withRoute } from '../cluster-routing.ts';
import {
  functionOfAccessKey,
  LOCAL_ACCOUNT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
} from '../credentials.ts';
import { awsOperationOf } from '../fault-proxy.ts';
import { endToEndHeaders } from '../hop-by-hop.ts';

const ACCESS_KEY = /Credential=([A-Z0-9]+)\//;

/** The header moto's server reads to serve a call first (local/moto-server.py). */
export const PRIORITY_HEADER = 'x-local-priority';

/** The functions whose callers wait for their answer: the API's. */
const API_FUNCTIONS: ReadonlySet<string> = new Set(
  FUNCTION_CATALOG.filter((fn) => fn.kind === 'api').map((fn) => fn.name),
);

interface Recorder {
  readonly endpoint: string;
  readonly server: Server;
}

const recorders = new Map<string, Promise<Recorder>>();

/** AWS calls made through the door so far, by function (the catalog's name). */
const callCounts = new Map<string, number>();

/**
 * How many AWS calls each function has made through the door in this process: counted on
 * every call, recorded or not, at the cost of a map update (the bench's calls per volume).
 */
export function awsCallCounts(): ReadonlyMap<string, number> {
  return new Map(callCounts);
}

/** One AWS call through a door, timed from its arrival to its answer's end. */
export interface TimedAwsCall {
  /** The calling function (the catalog's name). */
  readonly functionName: string;
  /** `<IAM prefix>:<operation>` (`dynamodb:GetItem`), or `?` when the call is not known. */
  readonly operation: string;
  readonly ms: number;
}

/** The lists of the timings running now: each call goes to each. */
const timings = new Set<TimedAwsCall[]>();

/**
 * Times every function's AWS calls through the doors of this process until `stop()`, which
 * answers them (the bench's API call latencies): a wait for moto's turn counts. Off, it costs
 * nothing.
 */
export function timeAwsCalls(): { stop(): TimedAwsCall[] } {
  const calls: TimedAwsCall[] = [];
  timings.add(calls);
  return {
    stop: () => {
      timings.delete(calls);
      return calls;
    },
  };
}

/** The file calls are recorded in, or undefined when recording is off. */
export function awsCallLog(): string | undefined {
  return process.env.LOCAL_AWS_CALL_LOG || undefined;
}

/**
 * The endpoint a function (or the `aws` CLI) should use to reach `upstream` through the door:
 * a proxy per upstream, started on first use and kept for the process.
 */
export function recordingEndpointFor(upstream: string): Promise<string> {
  return door(upstream, () => upstream);
}

/**
 * The door to whatever the variable `name` (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_SFN`, …) of
 * this process names when a call arrives: one endpoint for the process's life, so the functions'
 * variables stay the same from one local stack to the next (a test process keeps their
 * execution environments warm across files; see local/lambda/runtime.ts).
 */
export function doorToVariable(name: string): Promise<string> {
  return door(`$${name}`, () => process.env[name] ?? '');
}

function door(key: string, upstream: () => string): Promise<string> {
  let recorder = recorders.get(key);
  if (!recorder) {
    recorder = startRecorder(upstream);
    recorders.set(key, recorder);
  }
  return recorder.then((started) => started.endpoint);
}

/** Clients for the lookups the recorder makes, by moto endpoint and priority. */
const lookupClients = new Map<string, ResourceClients>();

/**
 * What the recorder reads moto with: straight, as local mode itself (they are nobody's calls),
 * tags from the model in one request, and marked first for an API function's call, as the
 * call itself will be.
 */
function lookupClientsFor(moto: string, first: boolean): ResourceClients {
  const key = `${first ? 'api' : ''} ${moto}`;
  let clients = lookupClients.get(key);
  if (!clients) {
    const config = { endpoint: moto, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    clients = {
      efs: new EFSClient(config),
      ec2: new EC2Client(config),
      modelTags: modelTagReader(moto, LOCAL_REGION, first ? { [PRIORITY_HEADER]: 'api' } : {}),
    };
    lookupClients.set(key, clients);
  }
  return clients;
}

/** Each log file, opened once for appending (a test process writes one per test file). */
const logFiles = new Map<string, number>();

/**
 * Appends a call's lines in one synchronous write: in order, and on disk before the call goes
 * on, so nothing is lost when a test process ends (a directory and an open per call cost the
 * test processes more than a tenth of their main thread).
 */
function appendLines(log: string, lines: string): void {
  let file = logFiles.get(log);
  if (file === undefined) {
    mkdirSync(dirname(log), { recursive: true });
    file = openSync(log, 'a');
    logFiles.set(log, file);
  }
  writeSync(file, lines);
}

async function startRecorder(upstream: () => string): Promise<Recorder> {
  const server = createServer(async (incoming, outgoing) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const accessKey = ACCESS_KEY.exec(String(incoming.headers.authorization ?? ''))?.[1];
    const identity = accessKey ? functionOfAccessKey(accessKey) : undefined;
    if (identity) {
      callCounts.set(identity.functionName, (callCounts.get(identity.functionName) ?? 0) + 1);
      if (timings.size > 0) {
        const { functionName } = identity;
        const operation =
          awsOperationOf(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers, body) ??
          '?';
        outgoing.once('finish', () => {
          const call = {
            functionName,
            operation,
            ms: performance.now() - arrived,
          };
          for (const calls of timings) calls.push(call);
        });
      }
    }
    const log = awsCallLog();
    const upstreamUrl = upstream();
    if (!upstreamUrl) {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end('local mode runs no endpoint behind this door now');
      return;
    }
    const target = new URL(upstreamUrl);
    if (identity && log) {
      try {
        const records = await recordAwsCalls(
          {
            method: incoming.method ?? 'GET',
            path: incoming.url ?? '/',
            headers: incoming.headers,
            body: body.toString('utf8'),
          },
          {
            functionName: identity.functionName,
            accountId: LOCAL_ACCOUNT,
            region: LOCAL_REGION,
            clients: lookupClientsFor(
              process.env.LOCAL_MOTO_ENDPOINT ?? upstreamUrl,
              API_FUNCTIONS.has(identity.functionName),
            ),
          },
        );
        appendLines(log, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      } catch (error) {
        // An unrecorded call would pass the IAM evaluation unseen: fail it loudly instead.
        outgoing.writeHead(500, { 'content-type': 'text/plain' });
        outgoing.end(`the AWS call recorder could not describe this call: ${String(error)}`);
        return;
      }
    }
    const routed = routedClusterOf({
      method: incoming.method,
      url: incoming.url,
      authorization: String(incoming.headers.authorization ?? ''),
    });
    const requestHeaders = { ...incoming.headers };
    // Only the door marks a call: a mark a function sent itself is not taken.
    delete requestHeaders[PRIORITY_HEADER];
    if (identity && API_FUNCTIONS.has(identity.functionName))
      requestHeaders[PRIORITY_HEADER] = 'api';
    // A routed answer is rewritten: ask for it uncompressed.
    if (routed) delete requestHeaders['accept-encoding'];
    const upstreamRequest = forward(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: requestHeaders,
      },
      async (answer) => {
        if (!routed) {
          outgoing.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
          answer.pipe(outgoing);
          return;
        }
        const parts: Buffer[] = [];
        for await (const part of answer) parts.push(part as Buffer);
        const rewritten = Buffer.from(
          withRoute(Buffer.concat(parts).toString('utf8'), routed.route),
          'utf8',
        );
        // The answer is sent whole, with its new length: not in the chunks it came in.
        outgoing.writeHead(answer.statusCode ?? 502, {
          ...endToEndHeaders(answer.headers),
          'content-length': String(rewritten.length),
        });
        outgoing.end(rewritten);
      },
    );
    upstreamRequest.on('error', () => outgoing.destroy());
    upstreamRequest.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

/** Stops every door of this process. */
export async function stopRecorders(): Promise<void> {
  const started = await Promise.all(recorders.values());
  recorders.clear();
  await Promise.all(
    started.map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
}
