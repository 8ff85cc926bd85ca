// Every Lambda the stack deploys, as plain data: its name, handler file, role and Kubernetes
// group. Local mode builds, runs and gives an identity to exactly these; the stack builds its
// functions from the same tables (steps.ts, api-operations.ts), and a test compares this
// catalog with the synthesized template.
import { API_OPERATIONS } from './api-operations.ts';
import type { KubernetesGroup } from './kubernetes-groups.ts';
import { pascalCase } from './naming.ts';
import {
  STEP_NAMES,
  STEP_TIMEOUT_SECONDS,
  STEPS,
  type StepDeclaration,
  stepEntryOf,
  stepFunctionName,
  stepRoleName,
} from './steps.ts';

export interface CatalogFunction {
  /**
   * What the function is called in the workflow and the logs: the ASL placeholder's name for a
   * step (`ResolveCluster` for `${ResolveClusterFunctionArn}`), the operationId for the API
   * (`createVolume`), `ProvisionRequested` for the request events, `SettleExecution` for the executions' ends.
   */
  readonly name: string;
  readonly kind: 'step' | 'api' | 'event' | 'schedule';
  /** The handler file, relative to the project root. */
  readonly entry: string;
  /** The role it runs as; the steps of a shared role name the same one. */
  readonly role: string;
  /** The Kubernetes group its role's access entry gives. @default no access entry */
  readonly kubernetesGroup?: KubernetesGroup;
  /**
   * Its Lambda timeout, as the stack deploys it (test/infra/stack-functions.test.ts compares),
   * and local mode ends an invocation that runs longer as Lambda does (`Sandbox.Timedout`).
   */
  readonly timeoutSeconds: number;
}

/**
 * The timeouts besides the steps' (infra/steps.ts): API Gateway gives an integration 29 s; the
 * scheduled check walks every volume.
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  api: 28,
  event: 60,
  schedule: 600,
  /** One batch of the scheduled check (CheckVolumeBatch): at most 100 volumes. */
  batch: 120,
} as const;

/** A step's entry, from its declaration and the convention from its name to its file and Lambda. */
export function stepCatalogFunction(
  step: string,
  declaration: Pick<StepDeclaration, 'kubernetesGroup' | 'ownRole' | 'timeout'>,
): CatalogFunction {
  const group = declaration.kubernetesGroup;
  return {
    name: stepFunctionName(step),
    kind: 'step',
    entry: stepEntryOf(step),
    role: stepRoleName(step, declaration),
    timeoutSeconds: STEP_TIMEOUT_SECONDS[declaration.timeout ?? 'task'],
    ...(group ? { kubernetesGroup: group } : {}),
  };
}

/** Every function of the stack, steps first (in the order infra/steps.ts declares them). */
export const FUNCTION_CATALOG: readonly CatalogFunction[] = [
  ...STEP_NAMES.map((step) => stepCatalogFunction(step, STEPS[step])),
  ...Object.entries(API_OPERATIONS).map(
    ([operationId, operation]): CatalogFunction => ({
      name: operationId,
      kind: 'api',
      entry: `functions/api/${operation.handler}.ts`,
      role: `Api${pascalCase(operationId)}`,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.api,
      ...(operation.readsCluster ? { kubernetesGroup: 'reader' as const } : {}),
    }),
  ),
  {
    name: 'ProvisionRequested',
    kind: 'event',
    entry: 'functions/events/provision-requested.ts',
    role: 'RequestEvents',
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.event,
    kubernetesGroup: 'reader',
  },
  {
    name: 'CheckVolumes',
    kind: 'schedule',
    entry: 'functions/health/check-volumes.ts',
    role: 'HealthChecks',
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.schedule,
    kubernetesGroup: 'reader',
  },
  {
    name: 'CheckVolumeBatch',
    kind: 'schedule',
    entry: 'functions/health/check-volume-batch.ts',
    role: 'HealthChecks',
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.batch,
    kubernetesGroup: 'reader',
  },
  {
    name: 'SettleExecution',
    kind: 'event',
    entry: 'functions/events/settle-execution.ts',
    role: 'SettleExecutions',
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.event,
    kubernetesGroup: 'reader',
  },
];

/** A function of the catalog by name. @throws Error for a name the stack does not deploy */
export function catalogFunction(name: string): CatalogFunction {
  const found = FUNCTION_CATALOG.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no function ${name} in the stack (infra/function-catalog.ts)`);
  return found;
}
