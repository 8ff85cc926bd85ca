// Every Lambda the stack deploys, as plain data: its name, handler file, role and Kubernetes
// group. Local mode builds, runs and gives an identity to exactly these; the stack builds its
// functions from the same tables (workflow-steps.ts, api-operations.ts), and a test compares
// this catalog with the synthesized template.
import { API_OPERATIONS } from './api-operations.ts';
import { CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS } from './config.ts';
import { ALL_STEPS, pascalCase, SHARED_STEP_ROLES, type SharedStepRole } from './workflow-steps.ts';

/** The Kubernetes groups of infra/rbac.yaml, as the stack's access entries assign them. */
export const KUBERNETES_GROUP_NAMES = {
  /** get/list/create/patch/delete on PersistentVolumes, claims, StorageClasses, CSIDrivers. */
  writer: 'efs-volumes',
  /** get namespaces, claims and PersistentVolumes; list pods. */
  reader: 'efs-volumes-reader',
} as const;

export type KubernetesGroup = keyof typeof KUBERNETES_GROUP_NAMES;

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
 * The timeouts: a step ends before its Task's 120 s (the ASL's TimeoutSeconds); CheckMountTargets
 * looks ahead for minutes inside one invocation (infra/config.ts); API Gateway gives an
 * integration 29 s; the scheduled check walks every volume.
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  step: 90,
  checkMountTargets: CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS,
  api: 28,
  event: 60,
  schedule: 600,
} as const;

const SHARED_ROLE_GROUPS: Readonly<Record<SharedStepRole, KubernetesGroup>> = {
  'kubernetes-writer': 'writer',
  'leftover-reporter': 'reader',
};

/**
 * A step's entry by the convention every step follows: `${ResolveClusterFunctionArn}` is the
 * step `resolve-cluster`, its handler `functions/steps/resolve-cluster.ts`, its role its own
 * unless it shares one (SHARED_STEP_ROLES).
 */
export function stepCatalogFunction(step: string): CatalogFunction {
  const shared = Object.entries(SHARED_STEP_ROLES).find(([name]) => name === step)?.[1];
  return {
    name: pascalCase(step),
    kind: 'step',
    entry: `functions/steps/${step}.ts`,
    role: shared ? pascalCase(shared) : pascalCase(step),
    timeoutSeconds:
      step === 'check-mount-targets'
        ? FUNCTION_TIMEOUT_SECONDS.checkMountTargets
        : FUNCTION_TIMEOUT_SECONDS.step,
    ...(shared ? { kubernetesGroup: SHARED_ROLE_GROUPS[shared] } : {}),
  };
}

/** Every function of the stack, steps first (in the order the workflows name them). */
export const FUNCTION_CATALOG: readonly CatalogFunction[] = [
  ...ALL_STEPS.map(stepCatalogFunction),
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
