import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  EXECUTION_STATUS_CHANGE,
  UNSETTLED_END_STATUSES,
  unsettledEndPattern,
} from '../functions/lib/workflow/execution-status-change.ts';
import { eventDeadLetterQueue, retriedLambdaTarget } from './event-delivery.ts';
import { lifecycleEventsStatement } from './lifecycle-events.ts';
import {
  EVENT_TIMEOUT,
  type FunctionNetwork,
  functionRole,
  ServiceFunction,
} from './service-function.ts';
import type { WorkflowName } from './steps.ts';
import { addStatements, leftoverReads } from './volume-permissions.ts';
import type { VolumeTable } from './volume-table.ts';

export interface ExecutionSettlementProps {
  readonly bus: IEventBus;
  readonly records: VolumeTable;
  readonly stateMachines: Readonly<Record<WorkflowName, StateMachine>>;
  readonly clusterArns: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly kubernetesNetwork?: FunctionNetwork;
}

/**
 * Settles every execution end the workflows could not record themselves (stopped, timed out,
 * failed outside a Catch): a rule on the default bus for Step Functions' "Execution Status
 * Change" to functions/events/settle-execution.ts, which moves the record to its terminal
 * status with its leftovers and raises the lifecycle event, or, for a provisioning that left
 * resources, starts the deprovision workflow to clean them up. Retried by EventBridge then
 * Lambda; what still fails lands in the dead-letter queue, never silently lost.
 */
export class ExecutionSettlement extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: ExecutionSettlementProps) {
    super(scope, id);
    this.deadLetterQueue = eventDeadLetterQueue(this);
    const role = functionRole(
      this,
      'Role',
      'settles the records of executions that ended unsettled',
    );
    this.role = role;
    props.records.grant(role, 'get', 'update', 'release');
    const { provision, deprovision, repair } = props.stateMachines;
    addStatements(role, [
      ...leftoverReads(props.clusterArns),
      lifecycleEventsStatement(props.bus, [
        'Volume Provisioning Failed',
        'Volume Deletion Failed',
        'Volume Repair Failed',
      ]),
      // What a stopped or timed-out provisioning left is cleaned up by the deprovision workflow,
      // started here as DELETE starts it; no other workflow.
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [deprovision.stateMachineArn],
      }),
    ]);

    this.handler = new ServiceFunction(this, 'SettleExecution', {
      entry: 'functions/events/settle-execution.ts',
      description: 'Settles the volume record of an execution that failed, timed out or stopped',
      role,
      environment: {
        ...props.environment,
        PROVISION_STATE_MACHINE_ARN: provision.stateMachineArn,
        DEPROVISION_STATE_MACHINE_ARN: deprovision.stateMachineArn,
        REPAIR_STATE_MACHINE_ARN: repair.stateMachineArn,
      },
      timeout: EVENT_TIMEOUT,
      memorySize: 256,
      network: props.kubernetesNetwork,
    });
    // The default bus: Step Functions sends its events nowhere else.
    this.rule = new Rule(this, 'Rule', {
      description: `${EXECUTION_STATUS_CHANGE} of the volume workflows: ${UNSETTLED_END_STATUSES.join(', ')}`,
      eventPattern: unsettledEndPattern([
        provision.stateMachineArn,
        deprovision.stateMachineArn,
        repair.stateMachineArn,
      ]),
      targets: [retriedLambdaTarget(this.handler, this.deadLetterQueue)],
    });
  }
}
