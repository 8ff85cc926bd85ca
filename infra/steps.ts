// Every workflow step, declared once: which workflows run it, what it may do, whether it calls
// Kubernetes, how long it may run. A step is a Task state whose `${<Step>FunctionArn}` an ASL file
// names, a handler `functions/steps/<step>.ts`, and an entry here; the function catalog (so
// local mode), the stack's Lambdas, roles and state machines, and the tests' expectations derive
// from this table. Plain data at run time (the statements are asked for through a type), so
// local mode reads it without the CDK; infra/step-registry.ts checks it against the ASL files
// and functions/steps.
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { LifecycleDetailType } from '../functions/lib/volume/lifecycle-events.ts';
import { CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS } from './config.ts';
import type { KubernetesGroup } from './kubernetes-groups.ts';
import { pascalCase } from './naming.ts';
import type { StepGrants } from './step-grants.ts';
import type { RecordAccess } from './volume-table.ts';

/** The workflows, one ASL file each: `statemachine/<workflow>.asl.json`. */
export const WORKFLOWS = ['provision', 'deprovision', 'repair'] as const;

export type WorkflowName = (typeof WORKFLOWS)[number];

/**
 * A step's Lambda timeout: it ends before its Task's 120 s (the ASL's TimeoutSeconds), unless it
 * looks ahead for minutes inside one invocation, as CheckMountTargets does (infra/config.ts).
 */
export const STEP_TIMEOUT_SECONDS = {
  task: 90,
  lookAhead: CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS,
} as const;

export interface StepDeclaration {
  /**
   * The workflows whose ASL files name the step's placeholder. The stack reads each workflow's
   * steps from its ASL file; this says it again where a reader looks, and the registry check
   * fails while the two disagree.
   */
  readonly workflows: readonly WorkflowName[];
  /** The Lambda's description. */
  readonly description: string;
  /** What it does to the volume's record besides reading it, which every step does first. */
  readonly records: readonly RecordAccess[];
  /** What it does to EFS, EC2 and EKS, read off functions/lib/workflow/*.ts and functions/lib/aws/*.ts. */
  readonly statements?: (grants: StepGrants) => PolicyStatement[];
  /** The lifecycle events it puts on the bus. */
  readonly lifecycleEvents?: readonly LifecycleDetailType[];
  /**
   * The Kubernetes group it calls a cluster's API as. Such a step runs as its group's shared
   * role ({@link KUBERNETES_STEP_ROLES}), with more memory, in the network that reaches the
   * clusters. @default no Kubernetes access, and a role of its own
   */
  readonly kubernetesGroup?: KubernetesGroup;
  /**
   * With a `kubernetesGroup`: runs as a role of its own, with an access entry of its own in
   * that group, rather than the group's shared role, so AWS rights only it needs are not
   * shared with the group's other steps. @default the group's shared role
   */
  readonly ownRole?: boolean;
  /** Its Lambda timeout ({@link STEP_TIMEOUT_SECONDS}). @default task */
  readonly timeout?: keyof typeof STEP_TIMEOUT_SECONDS;
}

/**
 * The role the steps of a Kubernetes group share. Access entries name roles, one per cluster and
 * role, so the steps that call a cluster share their group's role rather than each having one;
 * a shared role holds the union of its steps' statements (identical ones merged).
 */
export const KUBERNETES_STEP_ROLES = {
  /** Applies and deletes the storage objects. */
  writer: {
    name: 'KubernetesWriter',
    description: 'Workflow steps that apply and delete Kubernetes storage objects',
  },
  /** Lists what a failed rollback or deletion left, PVs and claims included; checks a repaired volume. */
  reader: {
    name: 'LeftoverReporter',
    description:
      'Workflow steps that record what a failed rollback or deletion left behind, or check a repaired volume',
  },
} as const satisfies Record<KubernetesGroup, { name: string; description: string }>;

/**
 * The steps, in the order the stack creates their Lambdas: provisioning's, then what
 * deprovisioning and repair add. Teardown (rollback and deprovisioning) removes the Kubernetes
 * objects first and the security group last; a repair re-creates only what holds no data, never
 * a file system or an access point.
 */
const DECLARED_STEPS = {
  'resolve-cluster': {
    workflows: ['provision', 'deprovision', 'repair'],
    description: 'Describes the EKS cluster and its subnets',
    records: ['update'],
    statements: (grants) => [grants.describeClusters(), grants.describe('ec2:DescribeSubnets')],
  },
  'create-security-group': {
    workflows: ['provision', 'repair'],
    description:
      "Creates the volume's NFS security group (and its namespace's client group, with namespace network isolation)",
    records: ['update'],
    statements: (grants) => [
      grants.describe('ec2:DescribeSecurityGroups'),
      ...grants.createSecurityGroup(),
      ...grants.createNamespaceClientGroup(),
    ],
  },
  'start-restore-job': {
    workflows: ['provision'],
    description: "Starts AWS Backup's restore of a recovery point to the volume's new file system",
    records: ['update'],
    statements: (grants) => grants.startRestoreJob(),
  },
  'check-restore-job': {
    workflows: ['provision'],
    description: 'Checks once whether the restore job is done; tags the file system it made',
    records: ['update'],
    statements: (grants) => grants.checkRestoreJob(),
  },
  'create-file-system': {
    workflows: ['provision'],
    description: "Creates the volume's encrypted EFS file system",
    records: ['update'],
    statements: (grants) => [
      grants.describe('elasticfilesystem:DescribeFileSystems'),
      ...grants.createFileSystem(),
    ],
  },
  'create-mount-targets': {
    workflows: ['provision', 'repair'],
    description:
      "Puts the file system's policy, then creates a mount target in every Availability Zone of the cluster",
    records: ['update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeNetworkInterfaceAttribute',
      ),
      ...grants.createMountTargets(),
      ...grants.putFileSystemPolicy(),
    ],
  },
  'create-access-point': {
    workflows: ['provision'],
    description: "Creates the volume's EFS access point and its own file system's policy",
    records: ['update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
      ),
      ...grants.createAccessPoint(),
      ...grants.putFileSystemPolicy(),
    ],
  },
  'check-mount-targets': {
    workflows: ['provision', 'repair'],
    description: 'Checks once whether the mount targets are available',
    records: ['update'],
    statements: (grants) => [grants.describe('elasticfilesystem:DescribeMountTargets')],
    timeout: 'lookAhead',
  },
  // A Kubernetes step with EFS rights (the temporary access point's create and delete, scoped
  // by tags as the other steps' are): a role of its own, so the writer steps do not get them.
  'find-restore-directory': {
    workflows: ['provision'],
    description:
      "Finds the directory AWS Backup restored into: a Job in the volume's namespace lists the restored file system's root through a temporary access point",
    records: ['update'],
    statements: (grants) => [
      grants.describeClusters(),
      grants.describe('elasticfilesystem:DescribeAccessPoints'),
      ...grants.createAccessPointOnOwnFileSystem(),
      ...grants.deleteAccessPoint(),
    ],
    kubernetesGroup: 'writer',
    ownRole: true,
  },
  'apply-manifests': {
    workflows: ['provision', 'repair'],
    description: 'Server-side applies the CSIDriver, StorageClass, PersistentVolume and claim',
    records: ['update'],
    statements: (grants) => [grants.describeClusters()],
    kubernetesGroup: 'writer',
  },
  'check-claim-bound': {
    workflows: ['provision', 'repair'],
    description: 'Checks once whether the claim is Bound',
    records: ['update'],
    statements: (grants) => [grants.describeClusters()],
    kubernetesGroup: 'writer',
  },
  'verify-mount': {
    workflows: ['provision', 'repair'],
    description:
      "Runs a Job in the volume's namespace that mounts the claim and writes, reads back and removes a probe file; looks at it until it ends",
    records: ['update'],
    statements: (grants) => [grants.describeClusters()],
    kubernetesGroup: 'writer',
  },
  'complete-provisioning': {
    workflows: ['provision'],
    description: 'Marks the volume READY and announces it',
    records: ['get', 'update'],
    lifecycleEvents: ['Volume Ready'],
  },
  'begin-rollback': {
    workflows: ['provision'],
    description: 'Records the failure and moves the volume to ROLLING_BACK',
    records: ['get', 'update'],
  },
  'delete-manifests': {
    workflows: ['provision', 'deprovision'],
    description: "Deletes the volume's Kubernetes objects",
    records: ['update'],
    statements: (grants) => [grants.describeClusters()],
    kubernetesGroup: 'writer',
  },
  'delete-access-point': {
    workflows: ['provision', 'deprovision'],
    description:
      "Deletes the volume's access point and decides whether its file system goes (no other access point on it)",
    // get: the creator's record, when this was the last access point on another volume's file system
    records: ['get', 'update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeAccessPoints',
      ),
      ...grants.deleteAccessPoint(),
    ],
  },
  'delete-mount-targets': {
    workflows: ['provision', 'deprovision'],
    description: 'Starts deleting the mount targets of a file system that goes',
    records: ['get', 'update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeNetworkInterfaceAttribute',
      ),
      ...grants.deleteMountTargets(),
    ],
  },
  'check-mount-targets-deleted': {
    workflows: ['provision', 'deprovision'],
    description: 'Checks once whether the mount targets are gone',
    records: ['update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
      ),
    ],
  },
  'delete-file-system': {
    workflows: ['provision', 'deprovision'],
    description: 'Deletes a file system that holds no other access point',
    records: ['get', 'update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
      ),
      ...grants.deleteFileSystem(),
    ],
  },
  'delete-security-group': {
    workflows: ['provision', 'deprovision'],
    description: "Deletes the volume's security group",
    records: ['update'],
    statements: (grants) => [
      grants.describe('ec2:DescribeSecurityGroups'),
      ...grants.deleteSecurityGroup(),
    ],
  },
  'complete-rollback': {
    workflows: ['provision'],
    description: 'Marks the rolled-back volume FAILED and announces it',
    records: ['get', 'update', 'release'],
    lifecycleEvents: ['Volume Provisioning Failed'],
  },
  'record-rollback-failure': {
    workflows: ['provision'],
    description: 'Marks the volume ROLLBACK_FAILED with everything left behind',
    records: ['get', 'update'],
    statements: (grants) => grants.readLeftovers(),
    lifecycleEvents: ['Volume Provisioning Failed'],
    kubernetesGroup: 'reader',
  },
  // A deletion that cleans up after a failed provisioning ends as its rollback would have.
  'complete-deletion': {
    workflows: ['deprovision'],
    description: 'Marks the volume DELETED (FAILED after a failed provisioning) and announces it',
    records: ['get', 'update', 'release'],
    lifecycleEvents: ['Volume Deleted', 'Volume Provisioning Failed'],
  },
  'record-deletion-failure': {
    workflows: ['deprovision'],
    description:
      'Marks the volume DELETE_FAILED (ROLLBACK_FAILED after a failed provisioning) with everything still there',
    records: ['get', 'update'],
    statements: (grants) => grants.readLeftovers(),
    lifecycleEvents: ['Volume Deletion Failed', 'Volume Provisioning Failed'],
    kubernetesGroup: 'reader',
  },
  'begin-repair': {
    workflows: ['repair'],
    description: 'Starts a repair: checks the file system and access point are still there',
    records: ['get', 'update'],
    statements: (grants) => [
      grants.describe(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeAccessPoints',
      ),
    ],
  },
  // Both re-run the health check, which reads the PersistentVolume and claim.
  'complete-repair': {
    workflows: ['repair'],
    description: 'Checks the repaired volume again and marks it READY with its health',
    records: ['get', 'update'],
    statements: (grants) => grants.readHealth(),
    lifecycleEvents: ['Volume Repaired', 'Volume Repair Failed'],
    kubernetesGroup: 'reader',
  },
  'record-repair-failure': {
    workflows: ['repair'],
    description: 'Marks the volume READY with its health and the failed repair',
    records: ['get', 'update'],
    statements: (grants) => grants.readHealth(),
    // As CompleteRepair's (their shared role merges identical statements into one).
    lifecycleEvents: ['Volume Repaired', 'Volume Repair Failed'],
    kubernetesGroup: 'reader',
  },
} satisfies Readonly<Record<string, StepDeclaration>>;

/** A workflow step: `resolve-cluster`, its handler `functions/steps/resolve-cluster.ts`. */
export type StepName = keyof typeof DECLARED_STEPS;

/** Every step's declaration, by name. */
export const STEPS: Readonly<Record<StepName, StepDeclaration>> = DECLARED_STEPS;

/** Every step, each once, in the order of {@link STEPS}. */
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

/** The name of a step's Lambda, and of its placeholder without `FunctionArn`: `ResolveCluster`. */
export function stepFunctionName(step: string): string {
  return pascalCase(step);
}

/** A step's handler file, relative to the project root: `functions/steps/resolve-cluster.ts`. */
export function stepEntryOf(step: string): string {
  return `functions/steps/${step}.ts`;
}

/**
 * The role a step runs as: its Kubernetes group's shared one, or its own (`ResolveCluster`, or
 * a Kubernetes step declared with `ownRole`).
 */
export function stepRoleName(
  step: string,
  declaration: Pick<StepDeclaration, 'kubernetesGroup' | 'ownRole'>,
): string {
  const group = declaration.kubernetesGroup;
  return group && !declaration.ownRole ? KUBERNETES_STEP_ROLES[group].name : stepFunctionName(step);
}
