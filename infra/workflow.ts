import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  mountCheckEnvironment,
  type ServiceConfig,
  WORKFLOW_SETTINGS,
  type WorkflowSetting,
} from './config.ts';
import { stepCatalogFunction } from './function-catalog.ts';
import type { KubernetesGroup } from './kubernetes-groups.ts';
import { lifecycleEventsStatement } from './lifecycle-events.ts';
import {
  acknowledgeFargateProfileReads,
  acknowledgeStateMachineRole,
} from './nag-acknowledgements.ts';
import {
  type FunctionNetwork,
  functionRole,
  PROJECT_ROOT,
  ServiceFunction,
} from './service-function.ts';
import { stepGrants } from './step-grants.ts';
import { aslFileOf, placeholderOf, workflowSteps } from './step-registry.ts';
import {
  KUBERNETES_STEP_ROLES,
  STEP_NAMES,
  STEPS,
  type StepName,
  type WorkflowName,
} from './steps.ts';
import { addStatements, VolumeResourceArns } from './volume-permissions.ts';
import type { RecordAccess, VolumeTable } from './volume-table.ts';

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
  /** The role AWS Backup restores as: the StartRestoreJob step passes it (infra/restore-role.ts). */
  readonly restoreRoleArn: string;
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
  /** The Kubernetes steps with a role of their own (`ownRole`), each with its group. */
  readonly ownKubernetesRoles: ReadonlyMap<
    StepName,
    { readonly role: IRole; readonly group: KubernetesGroup }
  >;

  constructor(scope: Construct, id: string, props: VolumeWorkflowProps) {
    super(scope, id);
    const { config } = props;
    const grants = stepGrants(
      new VolumeResourceArns(this, props.config.vpcIds),
      config,
      props.clusterArns,
      props.restoreRoleArn,
    );
    const sharedRole = (group: KubernetesGroup): Role => {
      const { name, description } = KUBERNETES_STEP_ROLES[group];
      return functionRole(this, `${name}Role`, description);
    };
    const sharedRoles: Record<KubernetesGroup, Role> = {
      writer: sharedRole('writer'),
      reader: sharedRole('reader'),
    };
    // The repair's closing steps read Fargate profiles for the health check (a wildcard).
    acknowledgeFargateProfileReads(sharedRoles.reader, props.clusterArns);
    this.kubernetesWriterRole = sharedRoles.writer;
    this.leftoverReporterRole = sharedRoles.reader;

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
      ...mountCheckEnvironment(config),
    };
    // Only the step that passes the restore role reads it.
    const stepEnvironment = (step: StepName) =>
      step === 'start-restore-job'
        ? { ...environment, RESTORE_ROLE_ARN: props.restoreRoleArn }
        : environment;

    const functions = new Map<StepName, ServiceFunction>();
    const ownKubernetesRoles = new Map<StepName, { role: IRole; group: KubernetesGroup }>();
    for (const step of STEP_NAMES) {
      const declaration = STEPS[step];
      const catalogued = stepCatalogFunction(step, declaration);
      const group = catalogued.kubernetesGroup;
      const role =
        group && !declaration.ownRole
          ? sharedRoles[group]
          : functionRole(this, `${catalogued.role}Role`, `Workflow step ${step}`);
      if (group && declaration.ownRole) ownKubernetesRoles.set(step, { role, group });
      // Every step reads the volume's record first: the record names the execution that may
      // act and holds the spec (functions/lib/workflow/execution.ts).
      props.records.grant(role, ...new Set<RecordAccess>(['get', ...declaration.records]));
      addStatements(role, [
        ...(declaration.statements?.(grants) ?? []),
        ...(declaration.lifecycleEvents
          ? [lifecycleEventsStatement(props.eventBus, declaration.lifecycleEvents)]
          : []),
      ]);
      functions.set(
        step,
        new ServiceFunction(this, catalogued.name, {
          entry: catalogued.entry,
          description: declaration.description,
          role,
          environment: stepEnvironment(step),
          // As the catalog declares (the mount-target check looks ahead for minutes).
          timeout: Duration.seconds(catalogued.timeoutSeconds),
          // The Kubernetes client is most of these bundles: more memory, more CPU to load it.
          memorySize: group ? 512 : 256,
          network: group ? props.kubernetesNetwork : undefined,
        }),
      );
    }
    this.stepFunctions = functions;
    this.ownKubernetesRoles = ownKubernetesRoles;
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
    const steps = workflowSteps(PROJECT_ROOT, workflow);
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
