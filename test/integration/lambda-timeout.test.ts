// Local mode's Lambda ends an invocation that outlives its function's timeout as Lambda does:
// the invocation fails with errorType Sandbox.Timedout, and its execution environment is
// discarded (the next invocation starts a fresh one). Before, a hung invocation ran forever.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunctionError, LocalFunctions } from '../../local/lambda/runtime.ts';

/** An "AWS" that accepts every request and never answers it. */
let silent: Server;
let silentEndpoint = '';

beforeAll(async () => {
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentEndpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

const stepEvent = {
  state: { volumeId: 'vol-00000000000000000001' },
  execution: { name: 'vol-00000000000000000001', operation: 'provision' },
};

describe('a local Lambda invocation past its timeout', () => {
  it('fails with Sandbox.Timedout and discards its execution environment', async () => {
    // Prepare: ResolveCluster reads the volume record first, from an AWS that never answers
    const functions = new LocalFunctions({
      timeoutMs: 300,
      environmentOf: async () => ({
        AWS_ENDPOINT_URL: silentEndpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      }),
    });
    try {
      // Act
      const failure = await functions.invoke('ResolveCluster', stepEvent).catch((e) => e);

      // Assess
      expect(failure).toBeInstanceOf(LambdaFunctionError);
      expect((failure as LambdaFunctionError).name).toBe('Sandbox.Timedout');
      expect((failure as LambdaFunctionError).payload.errorMessage).toMatch(
        /^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.30 seconds$/,
      );
      expect(functions.environmentCount('ResolveCluster')).toBe(0);

      // Act / Assess: the next invocation gets a fresh environment (and times out the same way)
      const again = await functions.invoke('ResolveCluster', stepEvent).catch((e) => e);
      expect((again as LambdaFunctionError).name).toBe('Sandbox.Timedout');
      expect(functions.environmentCount('ResolveCluster')).toBe(0);
    } finally {
      await functions.stop();
    }
  });
});
