// How local mode and the tests run the stack's functions: one LocalFunctions per process, each
// function with its own identity (local/credentials.ts), its AWS calls through the door
// (local/lambda/aws-call-recorder.ts: recorded when asked, clusters routed).
import { type CatalogFunction, FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { missingSettings } from '../../infra/function-settings.ts';
import { functionIdentities } from '../credentials.ts';
import { doorToVariable } from './aws-call-recorder.ts';
import { LocalFunctions, type LocalFunctionsOptions } from './runtime.ts';
import { timeScaledFunctionSettings, timeScaledRetryAfter } from './time-scaled-settings.ts';

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
    // Polls paced as local mode's AWS answers (time-scaled-settings.ts scales it with the model).
    RETRY_AFTER_SECONDS: timeScaledRetryAfter(),
    ...(await doorEndpoints()),
  };
}

/**
 * The function's AWS endpoints behind the door (local/lambda/aws-call-recorder.ts), which
 * records its calls and answers DescribeCluster for the clusters local mode routed. A door
 * forwards to what the variable names at each call, so these stay the same for the process.
 */
async function doorEndpoints(): Promise<Record<string, string>> {
  const endpoints: Record<string, string> = {};
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SFN', 'AWS_ENDPOINT_URL_LAMBDA']) {
    if (process.env[name]) endpoints[name] = await doorToVariable(name);
  }
  return endpoints;
}

/**
 * Checks that local mode gives every function each setting of functions/lib/settings.ts it
 * reads and has no default for, as the stack does: the functions inherit the process
 * environment, so this checks it once all of local mode's variables are set.
 *
 * @throws Error naming each function and setting missing
 */
export function assertLocalSettings(environment: NodeJS.ProcessEnv = process.env): void {
  const missing = FUNCTION_CATALOG.flatMap((fn) =>
    missingSettings(fn, environment).map((setting) => `${setting} (read by ${fn.name})`),
  );
  if (missing.length > 0) {
    throw new Error(
      `local mode sets no ${[...new Set(missing)].join(', ')}: functions/lib/settings.ts declares no default, so set it in local/stack.ts`,
    );
  }
}

let current: LocalFunctions | undefined;

/** The process's functions, made on first use with each function's own identity. */
export function localFunctions(): LocalFunctions {
  current ??= new LocalFunctions({ environmentOf: functionEnvironment });
  return current;
}

/**
 * Replaces the process's functions (local mode chooses bundles or sources). With `timeScale`
 * (the AWS model's), the waits a function makes inside its invocation keep the model's pace.
 */
export function useLocalFunctions(
  options: LocalFunctionsOptions & { readonly timeScale?: number },
): LocalFunctions {
  const previous = current;
  const { timeScale, ...functionsOptions } = options;
  const environmentOf =
    timeScale === undefined
      ? functionEnvironment
      : async (fn: CatalogFunction) => ({
          ...(await functionEnvironment(fn)),
          ...timeScaledFunctionSettings(timeScale),
        });
  current = new LocalFunctions({ environmentOf, ...functionsOptions });
  void previous?.stop();
  return current;
}

/** Stops these functions; the next use makes fresh ones. */
export async function releaseLocalFunctions(functions: LocalFunctions): Promise<void> {
  if (current === functions) current = undefined;
  await functions.stop();
}
