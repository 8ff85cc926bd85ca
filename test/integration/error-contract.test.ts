// The error names the functions throw are the contract with the state machines' Retry and
// Catch. Checked on the bundles that deploy, run as Lambda runs them: a minifier that renames
// an error class (`FileSystemNotReadyError` → `kp`) makes every such rule dead in AWS.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import type { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { bundleFileOf } from '../../infra/function-bundles.ts';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { aslFileOf } from '../../infra/step-registry.ts';
import { WORKFLOWS } from '../../infra/steps.ts';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.ts';
import { LambdaFunctionError, type LocalFunctions } from '../../local/lambda/runtime.ts';
import { functionsBehind } from '../support/faulted-functions.ts';
import {
  provision,
  startTestCluster,
  type TestCluster,
  useVolumesTable,
} from '../support/workflow-harness.ts';

interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
  readonly Catch?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
}

/** The names Step Functions, the Lambda service or its runtime raise, not our functions. */
const SERVICE_ERROR = /^(States|Lambda|Sandbox)\./;

/** Every (state, function, error name) an ASL file's Retry and Catch rules name. */
function namedErrors(file: string) {
  const definition = JSON.parse(readFileSync(file, 'utf8')) as {
    States: Record<string, AslState>;
  };
  return Object.entries(definition.States).flatMap(([state, body]) => {
    const fn = /^\$\{(\w+)FunctionArn\}$/.exec(body.Resource ?? '')?.[1];
    if (!fn) return [];
    const names = [...(body.Retry ?? []), ...(body.Catch ?? [])].flatMap(
      (rule) => rule.ErrorEquals,
    );
    return [...new Set(names)]
      .filter((name) => !SERVICE_ERROR.test(name))
      .map((name) => ({ state, fn, name }));
  });
}

// Every workflow's ASL file, from the same table the stack builds them from.
const ASL_FILES = WORKFLOWS.map(aslFileOf);
const named = ASL_FILES.flatMap((file) => namedErrors(file).map((entry) => ({ file, ...entry })));

describe('the error names in the bundles', () => {
  it.each(named)(
    '$file: $state can throw $name (the literal survives minification)',
    ({ fn, name }) => {
      // Prepare
      const entry = FUNCTION_CATALOG.find((candidate) => candidate.name === fn)?.entry;
      if (!entry) throw new Error(`no function ${fn}`);
      const directory = process.env.LOCAL_FUNCTIONS_BUNDLES ?? '';

      // Act: index.mjs and the chunks its dynamic imports load
      const bundle = bundleFileOf(directory, entry);
      const chunks = join(dirname(bundle), 'chunks');
      const code = [
        readFileSync(bundle, 'utf8'),
        ...(existsSync(chunks) ? readdirSync(chunks) : [])
          .filter((file) => file.endsWith('.mjs'))
          .map((file) => readFileSync(join(chunks, file), 'utf8')),
      ].join('\n');

      // Assess: the name is a string in the bundle, and no error name is read from a class
      expect(code).toContain(`"${name}"`);
      expect(code).not.toContain('new.target.name');
    },
  );
});

describe('the errorType each step reports when AWS fails', () => {
  let proxy: FaultProxy;
  let failing: LocalFunctions;

  beforeAll(async () => {
    // Every AWS call answers 503 in its protocol's shape, and the SDK tries once.
    proxy = await startFaultProxy({
      upstream: process.env.AWS_ENDPOINT_URL ?? '',
      faults: [{ kind: 'service-unavailable' }],
    });
    failing = functionsBehind(proxy.endpoint);
  });

  afterAll(async () => {
    await failing.stop();
    await proxy.stop();
  });

  const steps = FUNCTION_CATALOG.filter((fn) => fn.kind === 'step');

  it.each(steps)('$name reports TransientError, which its Retry names', async (fn) => {
    // Prepare: the event a Task's Parameters give; reading the record already answers 503
    const input = {
      state: { volumeId: newVolumeId() },
      execution: { name: 'error-contract', operation: 'provision' },
    };

    // Act
    const error = await failing.invoke(fn.name, input).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assess: what Lambda reports as errorType, and what the ASL retries
    expect(error).toBeInstanceOf(LambdaFunctionError);
    expect((error as LambdaFunctionError).name).toBe('TransientError');
    const retried = named.filter((entry) => entry.fn === fn.name).map((entry) => entry.name);
    expect(retried).toContain('TransientError');
  });
});

describe('a Retry on an error name, end to end on the bundles', () => {
  let records: VolumeRecordStore;
  let cluster: TestCluster;
  let creating: Server;
  let describes = 0;

  beforeAll(async () => {
    records = await useVolumesTable();
    cluster = await startTestCluster();
    // In front of moto: a new file system says `creating` twice, as EFS's does for a while.
    const upstream = new URL(process.env.AWS_ENDPOINT_URL ?? '');
    creating = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const outgoing = forward(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: request.method,
            path: request.url,
            headers: request.headers,
          },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => body.push(chunk));
            answer.on('end', () => {
              let text = Buffer.concat(body).toString('utf8');
              const describing =
                request.method === 'GET' &&
                request.url?.startsWith('/2015-02-01/file-systems') &&
                request.url.includes('FileSystemId=');
              if (describing && text.includes('"available"') && describes++ < 2) {
                text = text.replaceAll(
                  '"LifeCycleState": "available"',
                  '"LifeCycleState": "creating"',
                );
                text = text.replaceAll(
                  '"LifeCycleState":"available"',
                  '"LifeCycleState":"creating"',
                );
              }
              const headers = { ...answer.headers };
              delete headers['content-length'];
              response.writeHead(answer.statusCode ?? 500, headers);
              response.end(text);
            });
          },
        );
        outgoing.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => creating.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await cluster?.emulator.stop();
    await new Promise((resolve) => creating?.close(resolve));
  });

  it('retries CreateMountTargets on FileSystemNotReadyError until the file system is available', async () => {
    // Prepare: only CreateMountTargets meets the file system that is still creating
    const { port } = creating.address() as AddressInfo;
    const moto = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;

    // Act
    const outcome = await provision(records, { clusterName: cluster.seeded.name }).finally(() => {
      process.env.AWS_ENDPOINT_URL = moto;
    });

    // Assess: retried by the rule that names the error, then READY
    const retries = outcome.events.filter(
      (event) =>
        event.type === 'StateRetried' &&
        event.state?.name === 'CreateMountTargets' &&
        (
          event as { retry?: { retrier?: { ErrorEquals?: string[] } } }
        ).retry?.retrier?.ErrorEquals?.includes('FileSystemNotReadyError'),
    );
    expect(outcome.error?.message).toBeUndefined();
    expect(describes).toBeGreaterThanOrEqual(2);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(outcome.record.status).toBe('READY');
  });
});
