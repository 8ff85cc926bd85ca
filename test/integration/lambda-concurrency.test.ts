// Local mode's Lambda keeps at most `maxConcurrencyPerFunction` execution environments per
// function (a local-mode choice; LOCAL_LAMBDA_CONCURRENCY, else 4) and keeps them warm: a burst
// beyond the limit waits its turn instead of starting more. Before, a burst of first
// invocations each saw room for one more environment and started one each.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepEnvironmentsAcrossStacks, LocalFunctions } from '../../local/lambda/runtime.ts';

/** An "AWS" that answers every request with an empty JSON object, 50 ms later. */
let slow: Server;
let slowEndpoint = '';

beforeAll(async () => {
  slow = createServer((request, response) => {
    request.resume();
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    }, 50);
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowEndpoint = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
});

afterAll(async () => {
  slow.closeAllConnections();
  await new Promise((resolve) => slow.close(resolve));
});

const stepEvent = {
  state: { volumeId: 'vol-00000000000000000001' },
  execution: { name: 'vol-00000000000000000001', operation: 'provision' },
};

describe('local Lambda concurrency', () => {
  it('starts no more environments than the limit for a burst, and queues the rest', async () => {
    // Prepare: ResolveCluster reads a volume record that is not there (and fails fast)
    const functions = new LocalFunctions({
      maxConcurrencyPerFunction: 2,
      environmentOf: async () => ({
        AWS_ENDPOINT_URL: slowEndpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      }),
    });
    try {
      // Act: six invocations at once, then one more once they are done
      await Promise.allSettled(
        Array.from({ length: 6 }, () => functions.invoke('ResolveCluster', stepEvent)),
      );
      await functions.invoke('ResolveCluster', stepEvent).catch(() => undefined);

      // Assess: two environments, started once and kept warm; the other invocations queued
      expect(functions.environmentCount('ResolveCluster')).toBe(2);
      const stats = functions.stats().get('ResolveCluster');
      expect(stats?.invocations).toBe(7);
      expect(stats?.coldStarts).toBe(2);
      expect(stats?.queuedMs).toBeGreaterThan(0);
      // Their threads' CPU is counted: the invocations' own, and the two inits'
      expect(stats?.cpuMs).toBeGreaterThan(0);
      expect(stats?.initCpuMs).toBeGreaterThan(0);
    } finally {
      await functions.stop();
    }
  });
});

describe('local Lambda environments from one local stack to the next', () => {
  /** A function's environment as local mode gives it, with the given endpoint and table (an
   * endpoint of each test's own, so no environment kept from another test is taken). */
  const functionsWith = (endpoint: string, table = 'volumes') =>
    new LocalFunctions({
      environmentOf: async () => ({
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        VOLUMES_TABLE: table,
      }),
    });

  it('keeps the idle environments of a stopped stack for the next with the same load-time variables', async () => {
    // Prepare: the test processes keep them (test/support/aws-environment.ts)
    keepEnvironmentsAcrossStacks();
    const endpoint = `${slowEndpoint}/reuse`;
    const first = functionsWith(endpoint, 'first-table');
    await first.invoke('ResolveCluster', stepEvent).catch(() => undefined);
    await first.stop();

    // Act: the next stack, its settings changed (the table), its endpoint and keys the same
    const second = functionsWith(endpoint, 'second-table');
    await second.invoke('ResolveCluster', stepEvent).catch(() => undefined);

    // Assess: the environment was taken over warm, not started
    expect(first.stats().get('ResolveCluster')?.coldStarts).toBe(1);
    expect(second.stats().get('ResolveCluster')?.coldStarts).toBe(0);
    expect(second.environmentCount('ResolveCluster')).toBe(1);
    await second.stop();

    // Act / Assess: a stack whose functions call another endpoint starts its own
    const elsewhere = functionsWith(`${slowEndpoint}/elsewhere`);
    try {
      await elsewhere.invoke('ResolveCluster', stepEvent).catch(() => undefined);
      expect(elsewhere.stats().get('ResolveCluster')?.coldStarts).toBe(1);
    } finally {
      await elsewhere.stop();
    }
  });

  it('keeps a configuration warm across stacks of others, the three parked last', async () => {
    // Prepare: four configurations (endpoints), each run once by a stack of its own
    keepEnvironmentsAcrossStacks();
    const usual = `${slowEndpoint}/usual`;
    const runOnce = async (endpoint: string) => {
      const functions = functionsWith(endpoint);
      await functions.invoke('ResolveCluster', stepEvent).catch(() => undefined);
      await functions.stop();
      return functions.stats().get('ResolveCluster')?.coldStarts;
    };
    await runOnce(usual);

    // Act: a stack of another configuration in between, then the usual one again
    const other = await runOnce(`${slowEndpoint}/unusual-1`);
    const usualAgain = await runOnce(usual);
    // Act: three others parked after it
    for (const index of [2, 3, 4]) await runOnce(`${slowEndpoint}/unusual-${index}`);
    const usualAfterThree = await runOnce(usual);

    // Assess: the other started its own; the usual one stayed warm beside it, until three
    // other configurations were parked after it
    expect(other).toBe(1);
    expect(usualAgain).toBe(0);
    expect(usualAfterThree).toBe(1);
  });

  it('replaces an environment whose load-time variables changed, and keeps it when only a setting did', async () => {
    // Prepare
    let environment: Record<string, string> = {
      AWS_ENDPOINT_URL: `${slowEndpoint}/replace`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      VOLUMES_TABLE: 'one',
    };
    const functions = new LocalFunctions({ environmentOf: async () => environment });
    try {
      await functions.invoke('ResolveCluster', stepEvent).catch(() => undefined);

      // Act: a setting changes, then the keys (which the SDK clients read once, at load)
      environment = { ...environment, VOLUMES_TABLE: 'two' };
      await functions.invoke('ResolveCluster', stepEvent).catch(() => undefined);
      const afterSetting = functions.stats().get('ResolveCluster')?.coldStarts;
      environment = { ...environment, AWS_ACCESS_KEY_ID: 'rotated' };
      await functions.invoke('ResolveCluster', stepEvent).catch(() => undefined);

      // Assess
      expect(afterSetting).toBe(1);
      expect(functions.stats().get('ResolveCluster')?.coldStarts).toBe(2);
      expect(functions.environmentCount('ResolveCluster')).toBe(1);
    } finally {
      await functions.stop();
    }
  });
});
