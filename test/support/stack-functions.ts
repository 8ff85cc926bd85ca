import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type ServiceFunction } from '../../infra/service-function.ts';
import {
  actionsOf,
  getAttTarget,
  logicalIdOf,
  type Statement,
  type SynthesizedStack,
  statementsOfRole,
  type TemplateResource,
} from '../infra/synthesize.ts';

// The synthesized stack's functions as the test/infra/stack-*.test.ts files look them up.

/** Every function of the stack by name: step names, API operationIds, and the event handler. */
export function functionsOf(synthesized: SynthesizedStack): Map<string, ServiceFunction> {
  const { stack } = synthesized;
  return new Map<string, ServiceFunction>([
    ...stack.workflow.stepFunctions,
    ...stack.api.functions,
    ['provision-requested', stack.requests.handler],
    ['check-volumes', stack.healthChecks.handler],
    ['check-volume-batch', stack.healthChecks.batchHandler],
    ['settle-execution', stack.settlement.handler],
  ]);
}

/** A function's AWS::Lambda::Function resource, by its name in {@link functionsOf}. */
export function functionResource(synthesized: SynthesizedStack, name: string): TemplateResource {
  const fn = functionsOf(synthesized).get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const resource = synthesized.resources[logicalIdOf(synthesized.stack, fn.function)];
  if (!resource) throw new Error(`no resource for ${name}`);
  return resource;
}

/** A function's environment variables as synthesized. */
export function environmentOf(
  synthesized: SynthesizedStack,
  name: string,
): Record<string, unknown> {
  const properties = functionResource(synthesized, name).Properties ?? {};
  return (properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every statement of the inline policies of a function's role. */
export function statementsOfFunction(synthesized: SynthesizedStack, name: string): Statement[] {
  const roleId = getAttTarget(functionResource(synthesized, name).Properties?.Role);
  if (!roleId) throw new Error(`function ${name} has no role`);
  return statementsOfRole(synthesized.resources, roleId);
}

/** What the Lambda runtime does for every function, not its code: logs and active tracing. */
const RUNTIME_ACTIONS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

/** The actions a function's role grants, sorted, leaving out what the runtime does for it. */
export function actionsOfFunction(synthesized: SynthesizedStack, name: string): string[] {
  const actions = statementsOfFunction(synthesized, name)
    .flatMap(actionsOf)
    .filter((action) => !RUNTIME_ACTIONS.has(action));
  return [...new Set(actions)].sort();
}

/** Every .ts file under functions/, read as text. */
export function functionSources(): string[] {
  const root = join(PROJECT_ROOT, 'functions');
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(root, file), 'utf8'));
}

/** The functions that call a cluster's Kubernetes API (steps with the client, API readers). */
export const KUBERNETES_CALLERS = [
  'apply-manifests',
  'check-claim-bound',
  'verify-mount',
  'find-restore-directory',
  'delete-manifests',
  'record-rollback-failure',
  'record-deletion-failure',
  'createVolume',
  'deleteVolume',
  'checkVolume',
  'provision-requested',
  'check-volumes',
  'check-volume-batch',
  'complete-repair',
  'record-repair-failure',
  'repairVolume',
  'settle-execution',
];
