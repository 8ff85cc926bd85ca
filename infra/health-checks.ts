import { Duration, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IScheduleTarget, Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { describeClustersStatement } from './cluster-permissions.ts';
import { hasWarmPool, type ServiceConfig } from './config.ts';
import { FUNCTION_TIMEOUT_SECONDS } from './function-catalog.ts';
import { lifecycleEventsStatement } from './lifecycle-events.ts';
import { acknowledgeExecutionReads } from './nag-acknowledgements.ts';
import { grantHealthCheck, stalePendingStatements } from './operation-statements.ts';
import {
  type FunctionNetwork,
  functionRole,
  SCHEDULE_TIMEOUT,
  ServiceFunction,
} from './service-function.ts';
import type { WorkflowName } from './steps.ts';
import {
  addStatements,
  leftoverReads,
  VolumeResourceArns,
  warmPoolStatements,
} from './volume-permissions.ts';
import type { VolumeTable } from './volume-table.ts';

export interface VolumeHealthChecksProps {
  readonly records: VolumeTable;
  readonly bus: IEventBus;
  readonly config: ServiceConfig;
  readonly clusterArns: readonly string[];
  /** Every function's variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** What CheckVolumes alone reads besides: the warm pool's settings. */
  readonly checkEnvironment?: Readonly<Record<string, string>>;
  /** The workflows: stuck PENDING volumes are restarted on, or settled against, provisioning. */
  readonly stateMachines: Readonly<Record<WorkflowName, StateMachine>>;
  /** Where the function runs to reach private cluster endpoints. @default outside any VPC */
  readonly kubernetesNetwork?: FunctionNetwork;
}

/**
 * The scheduled drift check: an EventBridge Scheduler schedule (every `healthCheckMinutes`)
 * invokes CheckVolumes (functions/health/check-volumes.ts), which reads every READY volume,
 * plans them into batches by cluster and file system and has CheckVolumeBatch
 * (functions/health/check-volume-batch.ts) check each batch, three invocations at once: each
 * records its volumes' health and raises `Volume Drifted` on a change. Then CheckVolumes
 * restarts or settles every PENDING volume stuck for minutes.
 */
export class VolumeHealthChecks extends Construct {
  readonly handler: ServiceFunction;
  /** CheckVolumeBatch: one batch of READY volumes, invoked by CheckVolumes only. */
  readonly batchHandler: ServiceFunction;
  readonly role: IRole;
  readonly schedule: Schedule;
  /** The role the schedule invokes the function with. */
  readonly schedulerRole: IRole;

  constructor(scope: Construct, id: string, props: VolumeHealthChecksProps) {
    super(scope, id);
    const role = functionRole(this, 'Role', 'the scheduled drift check of every READY volume');
    this.role = role;
    // 'release': a stuck PENDING volume settled FAILED releases its claim.
    props.records.grant(role, 'list', 'get', 'update', 'release');
    addStatements(role, [describeClustersStatement(props.clusterArns)]);
    grantHealthCheck(role, props);
    // settleStalePending: the provisioning execution described or started again, and, when it
    // ended unsettled, the volume's leftovers read and `Volume Provisioning Failed` raised.
    const { provision, deprovision } = props.stateMachines;
    addStatements(role, [
      ...stalePendingStatements(provision),
      ...leftoverReads(props.clusterArns),
      lifecycleEventsStatement(props.bus, ['Volume Provisioning Failed']),
    ]);
    acknowledgeExecutionReads(role, provision);
    // Only a stack that keeps a warm pool lets its check make and delete file systems.
    if (hasWarmPool(props.config)) {
      props.records.grant(role, 'put');
      addStatements(
        role,
        warmPoolStatements(
          new VolumeResourceArns(this, props.config.vpcIds),
          props.config.efsKmsKeyArn,
        ),
      );
    }

    // The same role: a batch does what the check did for each volume, nothing more (its
    // records 'get'/'update', the reads of grantHealthCheck, `Volume Drifted`).
    this.batchHandler = new ServiceFunction(this, 'CheckVolumeBatch', {
      entry: 'functions/health/check-volume-batch.ts',
      description: 'Scheduled drift check: one batch of READY volumes, their health recorded',
      role,
      environment: props.environment,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.batch),
      memorySize: 512,
      network: props.kubernetesNetwork,
    });
    this.handler = new ServiceFunction(this, 'CheckVolumes', {
      entry: 'functions/health/check-volumes.ts',
      description: 'Scheduled drift check: every READY volume, checked in batches',
      role,
      environment: {
        ...props.environment,
        ...props.checkEnvironment,
        PROVISION_STATE_MACHINE_ARN: provision.stateMachineArn,
        DEPROVISION_STATE_MACHINE_ARN: deprovision.stateMachineArn,
        CHECK_VOLUME_BATCH_FUNCTION: this.batchHandler.function.functionName,
      },
      // Reads every READY volume and waits for their batches: minutes for thousands.
      timeout: SCHEDULE_TIMEOUT,
      memorySize: 512,
      network: props.kubernetesNetwork,
    });
    // A policy of its own, not the role's default one: the batch function depends on the role,
    // and this names the batch function, so the role's own policy would close a loop.
    const invokeBatches = new Policy(this, 'InvokeBatches', {
      statements: [
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.batchHandler.function.functionArn],
        }),
      ],
    });
    invokeBatches.attachToRole(role);
    this.handler.function.node.addDependency(invokeBatches);

    // A role of our own that may invoke this function and nothing else: the scheduler targets
    // module's LambdaInvoke grants `function:*` (every version and alias), which cdk-nag flags.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'efs-volumes: lets the drift check schedule invoke CheckVolumes',
    });
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.handler.function.functionArn],
      }),
    );
    this.schedulerRole = schedulerRole;
    const minutes = props.config.healthCheckMinutes;
    const target: IScheduleTarget = {
      bind: () => ({
        arn: this.handler.function.functionArn,
        role: schedulerRole,
        // A missed run is caught up by the next one, never retried late.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      }),
    };
    this.schedule = new Schedule(this, 'Schedule', {
      description: `efs-volumes: drift check of every READY volume every ${minutes} minutes`,
      schedule: ScheduleExpression.rate(Duration.minutes(minutes)),
      target,
    });
  }
}
