// How local mode and the tests run the stack's functions: one LocalFunctions per process, each
// function with its own identity (local/credentials.ts), its AWS calls through the door
// (local/lambda/aws-call-recorder.ts: recorded when asked, clusters routed).
import type { CatalogFunction } from '../../infra/function-catalog.ts';
import { functionIdentities } from '../credentials.ts';
import { recordingEndpointFor } from './aws-call-recorder.ts';
import { LocalFunctions, type LocalFunctionsOptions } from './runtime.ts';

/**
 * A function's own variables: its role session's keys (moto answers GetCallerIdentity with
 * the assumed-role ARN, so the Kubernetes emulator and the call recorder know who calls).
 */
export async function functionEnvironment(fn: CatalogFunction): Promise<Record<string, string>> {
  const moto = process.env.LOCAL_MOTO_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('LOCAL_MOTO_ENDPOINT (or AWS_ENDPOINT_URL) must name moto');
  const identity = (await functionIdentities(moto)).get(fn.name);
  if (!identity) throw new Error(`no identity for function ${fn.name}`);
  return {
    AWS_ACCESS_KEY_ID: identity.accessKeyId,
    AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
    AWS_SESSION_TOKEN: identity.sessionToken,
    ...(await doorEndpoints()),
  };
}

/**
 * The function's AWS endpoints behind the door (local/lambda/aws-call-recorder.ts), which
 * records its calls and answers DescribeCluster for the clusters local mode routed.
 */
async function doorEndpoints(): Promise<Record<string, string>> {
  const endpoints: Record<string, string> = {};
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SFN']) {
    const upstream = process.env[name];
    if (upstream) endpoints[name] = await recordingEndpointFor(upstream);
  }
  return endpoints;
}

let current: LocalFunctions | undefined;

/** The process's functions, made on first use with each function's own identity. */
export function localFunctions(): LocalFunctions {
  current ??= new LocalFunctions({ environmentOf: functionEnvironment });
  return current;
}

/** Replaces the process's functions (local mode chooses bundles or sources). */
export function useLocalFunctions(options: LocalFunctionsOptions): LocalFunctions {
  const previous = current;
  current = new LocalFunctions({ environmentOf: functionEnvironment, ...options });
  void previous?.stop();
  return current;
}

/** Stops these functions; the next use makes fresh ones. */
export async function releaseLocalFunctions(functions: LocalFunctions): Promise<void> {
  if (current === functions) current = undefined;
  await functions.stop();
}
