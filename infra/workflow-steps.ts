import { readFileSync } from 'node:fs';

/** A workflow step: one file in functions/steps, one Lambda, one `${…FunctionArn}` placeholder. */
export type StepName =
  | 'resolve-cluster'
  | 'create-security-group'
  | 'create-file-system'
  | 'create-mount-targets'
  | 'create-access-point'
  | 'check-mount-targets'
  | 'apply-manifests'
  | 'check-claim-bound'
  | 'complete-provisioning'
  | 'begin-rollback'
  | 'delete-manifests'
  | 'delete-access-point'
  | 'delete-mount-targets'
  | 'check-mount-targets-deleted'
  | 'delete-file-system'
  | 'delete-security-group'
  | 'complete-rollback'
  | 'record-rollback-failure'
  | 'complete-deletion'
  | 'record-deletion-failure'
  | 'begin-repair'
  | 'complete-repair'
  | 'record-repair-failure';

export type WorkflowName = 'provision' | 'deprovision' | 'repair';

/**
 * What removes a volume's resources, its Kubernetes objects first and its security group last:
 * provisioning's rollback and deprovisioning run these steps in this order.
 */
const TEARDOWN_STEPS: readonly StepName[] = [
  'delete-manifests',
  'delete-access-point',
  'delete-mount-targets',
  'check-mount-targets-deleted',
  'delete-file-system',
  'delete-security-group',
];

/**
 * The steps each state machine runs, in the order the ASL file first names them. Written out
 * rather than read from the ASL, so the test that compares both catches a step added to
 * one and not the other.
 */
export const WORKFLOW_STEPS: Readonly<Record<WorkflowName, readonly StepName[]>> = {
  provision: [
    'resolve-cluster',
    'create-security-group',
    'create-file-system',
    'create-mount-targets',
    'create-access-point',
    'check-mount-targets',
    'apply-manifests',
    'check-claim-bound',
    'complete-provisioning',
    'begin-rollback',
    ...TEARDOWN_STEPS,
    'complete-rollback',
    'record-rollback-failure',
  ],
  deprovision: [
    'resolve-cluster',
    ...TEARDOWN_STEPS,
    'complete-deletion',
    'record-deletion-failure',
  ],
  // Only what can be re-created without touching data: never a file system or access point.
  repair: [
    'begin-repair',
    'resolve-cluster',
    'create-security-group',
    'create-mount-targets',
    'check-mount-targets',
    'apply-manifests',
    'check-claim-bound',
    'complete-repair',
    'record-repair-failure',
  ],
};

/** The roles that several steps share, because they need exactly the same access. */
export type SharedStepRole = 'kubernetes-writer' | 'leftover-reporter';

/**
 * The steps that share a role; every other step has a role of its own. The shared roles are
 * the ones that call a cluster's Kubernetes API: the writer applies and deletes the storage
 * objects, the leftover reporter lists what a failed rollback or deletion left behind.
 */
export const SHARED_STEP_ROLES: Readonly<Partial<Record<StepName, SharedStepRole>>> = {
  'apply-manifests': 'kubernetes-writer',
  'check-claim-bound': 'kubernetes-writer',
  'delete-manifests': 'kubernetes-writer',
  'record-rollback-failure': 'leftover-reporter',
  'record-deletion-failure': 'leftover-reporter',
  // Both re-run the health check, which reads the PersistentVolume and claim.
  'complete-repair': 'leftover-reporter',
  'record-repair-failure': 'leftover-reporter',
};

/** Every step, each once. */
export const ALL_STEPS: readonly StepName[] = [
  ...new Set([
    ...WORKFLOW_STEPS.provision,
    ...WORKFLOW_STEPS.deprovision,
    ...WORKFLOW_STEPS.repair,
  ]),
];

/** `resolve-cluster` → `ResolveCluster`. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The ASL placeholder a step's Lambda ARN replaces: `resolve-cluster` → `ResolveClusterFunctionArn`. */
export function placeholderOf(step: StepName): string {
  return `${pascalCase(step)}FunctionArn`;
}

/** The ASL file of a workflow, relative to the project root. */
export function aslFileOf(workflow: WorkflowName): string {
  return `statemachine/${workflow}.asl.json`;
}

/** The names of the `${…}` placeholders an ASL document uses, each once, in order. */
export function aslPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] ?? ''))];
}

/** Reads an ASL file's placeholders. */
export function aslFilePlaceholders(path: string): string[] {
  return aslPlaceholders(readFileSync(path, 'utf8'));
}
