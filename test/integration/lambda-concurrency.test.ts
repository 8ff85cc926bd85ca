// Local mode's Lambda keeps at most `maxConcurrencyPerFunction` execution environments per
// function (a local-mode choice; LOCAL_LAMBDA_CONCURRENCY, else 4) and keeps them warm: a burst
// beyond the limit waits its turn instead of starting more. Before, a burst of first
// invocations each saw room for one more environment and started one each.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunctions } from '../../local/lambda/runtime.ts';

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
    } finally {
      await functions.stop();
    }
  });
});
