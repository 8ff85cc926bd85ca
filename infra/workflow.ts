import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { LifecycleDetailType } from '../functions/lib/volume/lifecycle-events.ts';
import { describeClustersStatement } from './cluster-permissions.ts';
import { type ServiceConfig, WORKFLOW_SETTINGS, type WorkflowSetting } from './config.ts';
import { stepCatalogFunction } from './function-catalog.ts';
import { lifecycleEventsStatement } from './lifecycle-events.ts';
import {
  acknowledgeFargateProfileReads,
  acknowledgeStateMachineRole,
} from './nag-acknowledgements.ts';
import { healthCheckStatements } from './operation-statements.ts';
import {
  type FunctionNetwork,
  functionRole,
  PROJECT_ROOT,
  ServiceFunction,
} from './service-function.ts';
import {
  accessPointCreateStatements,
  accessPointDeleteStatements,
  addStatements,
  describeStatement,
  fileSystemCreateStatements,
  fileSystemDeleteStatements,
  fileSystemPolicyStatements,
  leftoverReads,
  mountTargetCreateStatements,
  mountTargetDeleteStatements,
  namespaceClientGroupStatements,
  securityGroupCreateStatements,
  securityGroupDeleteStatements,
  VolumeResourceArns,
} from './volume-permissions.ts';
import type { RecordAccess, VolumeTable } from './volume-table.ts';
import {
  ALL_STEPS,
  aslFileOf,
  pascalCase,
  placeholderOf,
  SHARED_STEP_ROLES,
  type SharedStepRole,
  type StepName,
  WORKFLOW_STEPS,
  type WorkflowName,
} from './workflow-steps.ts';

interface StepAccess {
  readonly description: string;
  readonly records: readonly RecordAccess[];
  /** What the step does to EFS and EC2. */
  readonly statements?: (context: StepPermissionContext) => PolicyStatement[];
  /** The lifecycle events the step puts on the bus. */
  readonly lifecycleEvents?: readonly LifecycleDetailType[];
}

interface StepPermissionContext {
  readonly arns: VolumeResourceArns;
  readonly config: ServiceConfig;
  readonly clusterArns: readonly string[];
}

/** What the health check reads (functions/lib/health/check.ts), the cluster's description too. */
function healthCheckReads(clusterArns: readonly string[]): PolicyStatement[] {
  return [describeClustersStatement(clusterArns), ...healthCheckStatements(clusterArns)];
}

/**
 * Each step's access, read off functions/lib/workflow/*.ts and functions/lib/aws/*.ts. A
 * shared role gets the union of its steps' access (identical statements are merged).
 */
const STEP_ACCESS: Readonly<Record<StepName, StepAccess>> = {
  'resolve-cluster': {
    description: 'Describes the EKS cluster and its subnets',
    records: ['update'],
    statements: ({ clusterArns }) => [
      describeClustersStatement(clusterArns),
      describeStatement('ec2:DescribeSubnets'),
    ],
  },
  'create-security-group': {
    description:
      "Creates the volume's NFS security group (and its namespace's client group, with namespace network isolation)",
    records: ['update'],
    statements: ({ arns }) => [
      describeStatement('ec2:DescribeSecurityGroups'),
      ...securityGroupCreateStatements(arns),
      ...namespaceClientGroupStatements(arns),
    ],
  },
  'create-file-system': {
    description: "Creates the volume's encrypted EFS file system",
    records: ['update'],
    statements: ({ arns, config }) => [
      describeStatement('elasticfilesystem:DescribeFileSystems'),
      ...fileSystemCreateStatements(arns, config.efsKmsKeyArn),
    ],
  },
  'create-mount-targets': {
    description:
      "Puts the file system's policy, then creates a mount target in every Availability Zone of the cluster",
    records: ['update'],
    statements: ({ arns }) => [
      describeStatement(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeNetworkInterfaceAttribute',
      ),
      ...mountTargetCreateStatements(arns),
      ...fileSystemPolicyStatements(arns),
    ],
  },
  'create-access-point': {
    description: "Creates the volume's EFS access point and its own file system's policy",
    records: ['update'],
    statements: ({ arns }) => [
      describeStatement(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
      ),
      ...accessPointCreateStatements(arns),
      ...fileSystemPolicyStatements(arns),
    ],
  },
  'check-mount-targets': {
    description: 'Checks once whether the mount targets are available',
    records: ['update'],
    statements: () => [describeStatement('elasticfilesystem:DescribeMountTargets')],
  },
  'apply-manifests': {
    description: 'Server-side applies the CSIDriver, StorageClass, PersistentVolume and claim',
    records: ['update'],
    statements: ({ clusterArns }) => [describeClustersStatement(clusterArns)],
  },
  'check-claim-bound': {
    description: 'Checks once whether the claim is Bound',
    records: ['update'],
    statements: ({ clusterArns }) => [describeClustersStatement(clusterArns)],
  },
  'complete-provisioning': {
    description: 'Marks the volume READY and announces it',
    records: ['get', 'update'],
    lifecycleEvents: ['Volume Ready'],
  },
  'begin-rollback': {
    description: 'Records the failure and moves the volume to ROLLING_BACK',
    records: ['get', 'update'],
  },
  'delete-manifests': {
    description: "Deletes the volume's Kubernetes objects",
    records: ['update'],
    statements: ({ clusterArns }) => [describeClustersStatement(clusterArns)],
  },
  'delete-access-point': {
    description:
      "Deletes the volume's access point and decides whether its file system goes (no other access point on it)",
    // get: the creator's record, when this was the last access point on another volume's file system
    records: ['get', 'update'],
    statements: ({ arns }) => [
      describeStatement(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeAccessPoints',
      ),
      ...accessPointDeleteStatements(arns),
    ],
  },
  'delete-mount-targets': {
    description: 'Starts deleting the mount targets of a file system that goes',
    records: ['get', 'update'],
    statements: ({ arns }) => [
      describeStatement(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeNetworkInterfaceAttribute',
      ),
      ...mountTargetDeleteStatements(arns),
    ],
  },
  'check-mount-targets-deleted': {
    description: 'Checks once whether the mount targets are gone',
    records: ['update'],
    statements: () => [
      describeStatement(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeMountTargets',
      ),
    ],
  },
  'delete-file-system': {
    description: 'Deletes a file system that holds no other access point',
    records: ['get', 'update'],
    statements: ({ arns }) => [
      describeStatement(
        'elasticfilesystem:DescribeAccessPoints',
        'elasticfilesystem:DescribeFileSystems',
      ),
      ...fileSystemDeleteStatements(arns),
    ],
  },
  'delete-security-group': {
    description: "Deletes the volume's security group",
    records: ['update'],
    statements: ({ arns }) => [
      describeStatement('ec2:DescribeSecurityGroups'),
      ...securityGroupDeleteStatements(arns),
    ],
  },
  'complete-rollback': {
    description: 'Marks the rolled-back volume FAILED and announces it',
    records: ['get', 'update', 'release'],
    lifecycleEvents: ['Volume Provisioning Failed'],
  },
  'record-rollback-failure': {
    description: 'Marks the volume ROLLBACK_FAILED with everything left behind',
    records: ['get', 'update'],
    statements: ({ clusterArns }) => leftoverReads(clusterArns),
    lifecycleEvents: ['Volume Provisioning Failed'],
  },
  // A deletion that cleans up after a failed provisioning ends as its rollback would have.
  'complete-deletion': {
    description: 'Marks the volume DELETED (FAILED after a failed provisioning) and announces it',
    records: ['get', 'update', 'release'],
    lifecycleEvents: ['Volume Deleted', 'Volume Provisioning Failed'],
  },
  'record-deletion-failure': {
    description:
      'Marks the volume DELETE_FAILED (ROLLBACK_FAILED after a failed provisioning) with everything still there',
    records: ['get', 'update'],
    statements: ({ clusterArns }) => leftoverReads(clusterArns),
    lifecycleEvents: ['Volume Deletion Failed', 'Volume Provisioning Failed'],
  },
  'begin-repair': {
    description: 'Starts a repair: checks the file system and access point are still there',
    records: ['get', 'update'],
    statements: () => [
      describeStatement(
        'elasticfilesystem:DescribeFileSystems',
        'elasticfilesystem:DescribeAccessPoints',
      ),
    ],
  },
  'complete-repair': {
    description: 'Checks the repaired volume again and marks it READY with its health',
    records: ['get', 'update'],
    statements: ({ clusterArns }) => healthCheckReads(clusterArns),
    lifecycleEvents: ['Volume Repaired', 'Volume Repair Failed'],
  },
  'record-repair-failure': {
    description: 'Marks the volume READY with its health and the failed repair',
    records: ['get', 'update'],
    statements: ({ clusterArns }) => healthCheckReads(clusterArns),
    // As CompleteRepair's (their shared role merges identical statements into one).
    lifecycleEvents: ['Volume Repaired', 'Volume Repair Failed'],
  },
};

/** The steps that call a cluster's Kubernetes API, so need network reach and an access entry. */
const KUBERNETES_STEPS: ReadonlySet<StepName> = new Set(
  ALL_STEPS.filter((step) => SHARED_STEP_ROLES[step] !== undefined),
);

export interface VolumeWorkflowProps {
  readonly records: VolumeTable;
  readonly eventBus: IEventBus;
  readonly config: ServiceConfig;
  /** The ARNs of the clusters DescribeCluster may read. */
  readonly clusterArns: readonly string[];
  /** The environment every function shares (Powertools, table, bus). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where the Kubernetes steps run. @default outside any VPC */
  readonly kubernetesNetwork?: FunctionNetwork;
}

/**
 * The provisioning, deprovisioning and repair state machines from statemachine/*.asl.json, and one
 * Lambda per step, each with only the access its step needs.
 */
export class VolumeWorkflow extends Construct {
  readonly stepFunctions: ReadonlyMap<StepName, ServiceFunction>;
  readonly stateMachines: Readonly<Record<WorkflowName, StateMachine>>;
  /** Applies and deletes the storage objects: Kubernetes group `efs-volumes`. */
  readonly kubernetesWriterRole: IRole;
  /** Lists what a failed rollback or deletion left, PVs and claims included: reader group. */
  readonly leftoverReporterRole: IRole;

  constructor(scope: Construct, id: string, props: VolumeWorkflowProps) {
    super(scope, id);
    const { config } = props;
    const context: StepPermissionContext = {
      arns: new VolumeResourceArns(this, props.config.vpcIds),
      config,
      clusterArns: props.clusterArns,
    };
    const sharedRoles: Record<SharedStepRole, Role> = {
      'kubernetes-writer': functionRole(
        this,
        'KubernetesWriterRole',
        'Workflow steps that apply and delete Kubernetes storage objects',
      ),
      'leftover-reporter': functionRole(
        this,
        'LeftoverReporterRole',
        'Workflow steps that record what a failed rollback or deletion left behind, or check a repaired volume',
      ),
    };
    // The repair's closing steps read Fargate profiles for the health check (a wildcard).
    acknowledgeFargateProfileReads(sharedRoles['leftover-reporter'], props.clusterArns);
    this.kubernetesWriterRole = sharedRoles['kubernetes-writer'];
    this.leftoverReporterRole = sharedRoles['leftover-reporter'];

    const environment = {
      ...props.environment,
      ...Object.fromEntries(
        Object.entries(config.workflow).map(([setting, value]) => [
          WORKFLOW_SETTINGS[setting as WorkflowSetting],
          String(value),
        ]),
      ),
      ...(config.efsKmsKeyArn ? { EFS_KMS_KEY_ID: config.efsKmsKeyArn } : {}),
      NAMESPACE_NETWORK_ISOLATION: String(config.namespaceNetworkIsolation),
    };

    const functions = new Map<StepName, ServiceFunction>();
    for (const step of ALL_STEPS) {
      const access = STEP_ACCESS[step];
      const sharedRole = SHARED_STEP_ROLES[step];
      const role = sharedRole
        ? sharedRoles[sharedRole]
        : functionRole(this, `${pascalCase(step)}Role`, `Workflow step ${step}`);
      // Every step reads the volume's record first: the record names the execution that may
      // act and holds the spec (functions/lib/workflow/execution.ts).
      props.records.grant(role, ...new Set<RecordAccess>(['get', ...access.records]));
      addStatements(role, [
        ...(access.statements?.(context) ?? []),
        ...(access.lifecycleEvents
          ? [lifecycleEventsStatement(props.eventBus, access.lifecycleEvents)]
          : []),
      ]);
      const kubernetes = KUBERNETES_STEPS.has(step);
      functions.set(
        step,
        new ServiceFunction(this, pascalCase(step), {
          entry: `functions/steps/${step}.ts`,
          description: access.description,
          role,
          environment,
          // As the catalog declares (the mount-target check looks ahead for minutes).
          timeout: Duration.seconds(stepCatalogFunction(step).timeoutSeconds),
          // The Kubernetes client is most of these bundles: more memory, more CPU to load it.
          memorySize: kubernetes ? 512 : 256,
          network: kubernetes ? props.kubernetesNetwork : undefined,
        }),
      );
    }
    this.stepFunctions = functions;
    this.stateMachines = {
      provision: this.#stateMachine('provision', 'Provision'),
      deprovision: this.#stateMachine('deprovision', 'Deprovision'),
      repair: this.#stateMachine('repair', 'Repair'),
    };
  }

  /**
   * A state machine from its ASL file, each `${<Step>FunctionArn}` bound to that step's Lambda,
   * allowed to invoke exactly those Lambdas. Logs ALL (without execution data, which holds
   * the cluster CA and request tags) and X-Ray tracing on.
   */
  #stateMachine(workflow: WorkflowName, id: string): StateMachine {
    const steps = WORKFLOW_STEPS[workflow];
    const definitionSubstitutions: Record<string, string> = {};
    for (const step of steps) {
      definitionSubstitutions[placeholderOf(step)] = this.#step(step).function.functionArn;
    }
    const stack = Stack.of(this);
    const logs = new LogGroup(this, `${id}Logs`, {
      // The vendedlogs prefix keeps CloudWatch's resource policy small for Step Functions.
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-${workflow}`,
      retention: RetentionDays.ONE_MONTH,
      // Named, so a retained one would block the next deploy of a stack of this name.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(this, id, {
      definitionBody: DefinitionBody.fromFile(`${PROJECT_ROOT}${aslFileOf(workflow)}`),
      definitionSubstitutions,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The unqualified ARNs the definition names, not every version and alias (`:*`).
    stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: steps.map((step) => this.#step(step).function.functionArn),
      }),
    );
    acknowledgeStateMachineRole(stateMachine);
    return stateMachine;
  }

  #step(step: StepName): ServiceFunction {
    const found = this.stepFunctions.get(step);
    if (!found) throw new Error(`no function for step ${step}`);
    return found;
  }
}
