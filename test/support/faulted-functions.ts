// The stack's functions with every AWS call sent to one endpoint (a fault proxy), each tried
// once: the proxy's rule answers every call anyway, and the SDK's backoff only costs time.
import { functionEnvironment } from '../../local/lambda/local-functions.ts';
import { LocalFunctions } from '../../local/lambda/runtime.ts';

/** The functions from their bundles, each with its own identity, calling AWS at `endpoint`. */
export function functionsBehind(endpoint: string): LocalFunctions {
  return new LocalFunctions({
    mode: 'bundled',
    environmentOf: async (fn) => ({
      ...(await functionEnvironment(fn)),
      AWS_ENDPOINT_URL: endpoint,
      AWS_MAX_ATTEMPTS: '1',
    }),
  });
}
