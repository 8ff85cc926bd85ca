// The call record: one JSON object per line in `.build/aws-calls/*.jsonl`, one line per
// authorization AWS makes for a request a function sent. test/iam evaluates these against the
// synthesized stack's roles.
import {
  type AwsCallDescription,
  type AwsHttpRequest,
  type CallSite,
  describeAwsCall,
} from './describe-call.ts';
import { type ResourceClients, resolveResources } from './resolve-resources.ts';

/** One authorization a function's AWS request needed, as recorded. */
export interface RecordedAwsCall {
  /**
   * Who called: an ASL Task state's function (`CreateMountTargets`, the step's
   * `${…FunctionArn}` placeholder without `FunctionArn`), an API operationId (`createVolume`),
   * or `ProvisionRequested` for the request-event handler (infra/function-catalog.ts names).
   */
  readonly function: string;
  readonly service: string;
  readonly operation: string;
  readonly action: string;
  readonly resources: readonly string[];
  readonly requestTags: Readonly<Record<string, string>>;
  /** The tags each resource carried when the call was made, by ARN (only those with tags). */
  readonly resourceTags: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Other request condition keys (`elasticfilesystem:Encrypted`, `events:source`, …). */
  readonly conditions?: Readonly<Record<string, string | readonly string[]>>;
}

/** The function name the request-event handler is recorded under. */
export const REQUEST_EVENTS_FUNCTION = 'ProvisionRequested';

export interface RecordOptions extends CallSite {
  /** The calling function's recorded name (see {@link RecordedAwsCall.function}). */
  readonly functionName: string;
  /** Clients straight to moto, for lookups and resource tags. */
  readonly clients: ResourceClients;
}

/**
 * Every authorization one request needs, resolved and ready to write as JSON lines. Call it
 * before forwarding the request: tags of a resource being deleted are read while it exists.
 */
export async function recordAwsCalls(
  request: AwsHttpRequest,
  options: RecordOptions,
): Promise<RecordedAwsCall[]> {
  const records: RecordedAwsCall[] = [];
  for (const description of describeAwsCall(request, options)) {
    records.push(await recordOf(description, options));
  }
  return records;
}

async function recordOf(
  description: AwsCallDescription,
  options: RecordOptions,
): Promise<RecordedAwsCall> {
  const resolved = await resolveResources(description, options.clients, options);
  return {
    function: options.functionName,
    service: resolved.service,
    operation: resolved.operation,
    action: resolved.action,
    resources: resolved.resources,
    requestTags: resolved.requestTags,
    resourceTags: resolved.resourceTags,
    ...(resolved.conditions ? { conditions: resolved.conditions } : {}),
  };
}

/** Parses JSON lines of records; blank lines are skipped, a malformed one throws with its number. */
export function parseRecordedCalls(text: string, source = 'records'): RecordedAwsCall[] {
  const calls: RecordedAwsCall[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    try {
      const call = JSON.parse(line) as RecordedAwsCall;
      if (typeof call.function !== 'string' || typeof call.action !== 'string') {
        throw new Error('no function or action');
      }
      calls.push(call);
    } catch (error) {
      throw new Error(`${source}:${index + 1}: not a recorded AWS call (${String(error)})`);
    }
  }
  return calls;
}
