import { Worker } from 'node:worker_threads';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT } from '../../local/credentials.ts';
import { localFunctions } from '../../local/lambda/local-functions.ts';
import type { LocalStack } from '../../local/stack.ts';
import { clusterFileSystemCount } from '../support/aws-inventory.ts';
import { expectContract } from '../support/contract.ts';
import { type HostileBody, hostileBody, hostileEvent } from '../support/hostile-requests.ts';
import { startTestStack } from '../support/local-stack-harness.ts';
import { statusCounts, VolumeClient } from '../support/volume-client.ts';
import { dynamodb } from '../support/workflow-harness.ts';

const SEED = 1_337;

let stack: LocalStack;
let volumes: VolumeClient;

beforeAll(async () => {
  // The account local mode sends PutEvents entries from: a sender, so events reach validation.
  stack = await startTestStack({ requestSenders: [LOCAL_ACCOUNT] });
  volumes = new VolumeClient(stack.api);
});

afterAll(async () => {
  await stack?.stop();
});

/** The prototypes' own property names in a worker thread no handler ever ran in. */
async function freshPrototypeKeys(): Promise<Record<'object' | 'array' | 'function', string[]>> {
  const worker = new Worker(
    `const keys = (prototype) => Object.getOwnPropertyNames(prototype).sort();
     require('node:worker_threads').parentPort.postMessage({
       object: keys(Object.prototype), array: keys(Array.prototype), function: keys(Function.prototype),
     });`,
    { eval: true },
  );
  try {
    return await new Promise((resolve) => worker.once('message', resolve));
  } finally {
    await worker.terminate();
  }
}

interface Snapshot {
  /** Items of every kind in the volumes table: records, claims, idempotency keys, counters. */
  readonly tableItems: number;
  readonly kubernetesObjects: number;
}

/**
 * What exists once every workflow ended: the volumes table's items (counted in the table, not
 * through the API, whose list is the costliest call of all) and the Kubernetes objects.
 */
async function snapshot(): Promise<Snapshot> {
  await stack.stepFunctionsServer.idle();
  const { Count = 0 } = await dynamodb.send(
    new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }),
  );
  return { tableItems: Count, kubernetesObjects: stack.emulator.objects().length };
}

/**
 * File systems in moto for the cluster, checked around a whole property rather than per input
 * (listing them all is slow on a shared moto): only volumes that reached READY may add one.
 */
async function fileSystemsAdded(
  run: () => Promise<void>,
): Promise<{ added: number; ready: number }> {
  const before = await clusterFileSystemCount(stack.clusterName);
  const readyBefore = (await volumes.list(stack.clusterName)).filter((v) => v.status === 'READY');
  await run();
  await stack.stepFunctionsServer.idle();
  const readyAfter = (await volumes.list(stack.clusterName)).filter((v) => v.status === 'READY');
  return {
    added: (await clusterFileSystemCount(stack.clusterName)) - before,
    ready: readyAfter.length - readyBefore.length,
  };
}

/** Tallies what the inputs met, for the report and the assertions. */
class Tally {
  tried = 0;
  serverErrors = 0;
  readonly statuses: Record<string, number> = {};
  readonly outcomes: Record<string, number> = {};
  readonly kinds: Record<string, number> = {};

  count(input: HostileBody, status: number, problemType?: string): void {
    this.tried++;
    if (status >= 500) this.serverErrors++;
    Tally.#add(this.statuses, String(status));
    if (problemType) this.outcome(problemType.replace(/^.*\/problems\//, ''));
    Tally.#add(this.kinds, input.kind.split(' + ')[0] ?? input.kind);
  }

  outcome(name: string): void {
    Tally.#add(this.outcomes, name);
  }

  static #add(counts: Record<string, number>, key: string): void {
    counts[key] = (counts[key] ?? 0) + 1;
  }

  report(what: string): string {
    return [
      `${what}: ${this.tried} inputs tried, ${this.serverErrors} 5xx seen`,
      `  statuses ${JSON.stringify(this.statuses)}`,
      `  outcomes ${JSON.stringify(this.outcomes)}`,
      `  first mutation ${JSON.stringify(this.kinds)}`,
    ].join('\n');
  }
}

describe('the local HTTP API under hostile input', () => {
  it('answers 1,000 generated POST /volumes bodies without a 5xx, with problem+json for every 4xx that created nothing', async () => {
    // Prepare
    const tally = new Tally();
    let current = await snapshot();

    // Act / Assess
    const fileSystems = await fileSystemsAdded(() =>
      fc.assert(
        fc.asyncProperty(hostileBody(stack.clusterName), async (input) => {
          const response = await fetch(`${stack.api}/volumes`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: input.text,
          });
          expect(response.status, input.text.slice(0, 500)).toBeLessThan(500);
          // Documented status, problem+json body valid against openapi.yaml for every 4xx
          const checked = await expectContract('createVolume', response);
          tally.count(input, response.status, (checked.json as { type?: string }).type);
          const after = await snapshot();
          if (checked.status >= 400) {
            expect(response.headers.get('content-type')).toBe('application/problem+json');
            expect(after, `${checked.status} for ${input.text.slice(0, 300)}`).toEqual(current);
          } else if (checked.status === 200) {
            // a dry run: the plan, nothing created
            expect(after).toEqual(current);
          }
          current = after;
        }),
        { numRuns: 1_000, seed: SEED },
      ),
    );

    // Assess: nothing polluted the prototypes where the handlers run: each execution
    // environment (a worker thread, with prototypes of its own) holds what a fresh one holds
    const baseline = await freshPrototypeKeys();
    const environments = await localFunctions().prototypeKeys();
    expect(environments.get('createVolume')?.length ?? 0).toBeGreaterThan(0);
    for (const [name, answers] of environments) {
      for (const { object, array, function: fn } of answers) {
        expect({ object, array, function: fn }, name).toEqual(baseline);
      }
    }
    console.info(tally.report('POST /volumes'));
    console.info(`file systems added ${fileSystems.added}, volumes READY ${fileSystems.ready}`);
    expect(fileSystems.added).toBe(fileSystems.ready);
    expect(tally.tried).toBeGreaterThanOrEqual(1_000);
    expect(tally.serverErrors).toBe(0);
    expect(
      Object.keys(tally.statuses).filter((status) => status.startsWith('4')).length,
    ).toBeGreaterThan(3);
    const made = await volumes.list(stack.clusterName);
    console.info(`accepted volumes by status: ${JSON.stringify(statusCounts(made))}`);
    expect(made.filter((volume) => volume.status === 'ROLLBACK_FAILED')).toEqual([]);
  }, 300_000);

  it('handles 250 generated Volume Provision Requested events without a 5xx, creating nothing for a rejected one', async () => {
    // Prepare
    const tally = new Tally();
    let current = await snapshot();

    // Act / Assess
    const fileSystems = await fileSystemsAdded(() =>
      fc.assert(
        fc.asyncProperty(hostileEvent(stack.clusterName), async (input) => {
          const response = await fetch(`${stack.api}/local/events`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: input.text,
          });
          const text = await response.text();
          tally.count(input, response.status);
          expect(response.status, `${text} for ${input.text.slice(0, 500)}`).toBeLessThan(500);
          const body = JSON.parse(text) as { outcome?: string; problem?: string; type?: string };
          tally.outcome(`${body.outcome ?? body.type}${body.problem ? ` ${body.problem}` : ''}`);
          const after = await snapshot();
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toBe('application/problem+json');
            expect(after).toEqual(current);
          } else {
            expect(['accepted', 'rejected']).toContain(body.outcome);
            if (body.outcome === 'rejected') expect(after, text).toEqual(current);
          }
          current = after;
        }),
        { numRuns: 250, seed: SEED },
      ),
    );

    // Assess
    console.info(tally.report('POST /local/events'));
    console.info(`file systems added ${fileSystems.added}, volumes READY ${fileSystems.ready}`);
    expect(fileSystems.added).toBe(fileSystems.ready);
    expect(tally.tried).toBeGreaterThanOrEqual(200);
    expect(tally.serverErrors).toBe(0);
    expect(tally.outcomes['rejected invalid-request']).toBeGreaterThan(50);
    expect(tally.outcomes.accepted).toBeGreaterThan(0);
  }, 300_000);
});
