import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  type IPrincipal,
  type IRole,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { isAccountSender } from '../functions/lib/events/request-senders.ts';
import { describeClustersStatement } from './cluster-permissions.ts';
import type { ServiceConfig } from './config.ts';
import { grantDescribeExecutions } from './execution-permissions.ts';
import { lifecycleEventsStatement, PROVISION_REQUESTED_DETAIL_TYPE } from './lifecycle-events.ts';
import {
  acknowledgeDeadLetterQueue,
  acknowledgeFargateProfileReads,
} from './nag-acknowledgements.ts';
import { type FunctionNetwork, functionRole, ServiceFunction } from './service-function.ts';
import { addStatements } from './volume-permissions.ts';
import type { VolumeTable } from './volume-table.ts';
import { fargatePreflightStatements } from './volumes-api.ts';

/** How often EventBridge, then Lambda, retry a request event before it goes to the DLQ. */
export const REQUEST_RETRY_ATTEMPTS = 4;
export const REQUEST_MAX_EVENT_AGE = Duration.hours(2);

/** The queue where an event neither EventBridge nor Lambda could deliver ends up (14 days). */
export function eventDeadLetterQueue(scope: Construct): Queue {
  const queue = new Queue(scope, 'DeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(queue);
  return queue;
}

/**
 * A rule's target that is never silently lost: EventBridge retries delivery, and, since it
 * invokes asynchronously, Lambda retries a thrown (transient) error; what still fails goes to
 * `deadLetterQueue` either way.
 */
export function retriedLambdaTarget(
  handler: ServiceFunction,
  deadLetterQueue: Queue,
): LambdaFunction {
  handler.function.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: REQUEST_MAX_EVENT_AGE,
    onFailure: new SqsDestination(deadLetterQueue),
  });
  return new LambdaFunction(handler.function, {
    deadLetterQueue,
    retryAttempts: REQUEST_RETRY_ATTEMPTS,
    maxEventAge: REQUEST_MAX_EVENT_AGE,
  });
}

/**
 * The bus of request and lifecycle events: the configured one, or (by default) one of the
 * stack's own, whose policy says who may send requests ({@link requestSenderStatements}).
 */
export function serviceEventBus(scope: Construct, config: ServiceConfig): IEventBus {
  if (config.eventBusName) {
    return EventBus.fromEventBusName(scope, 'EventBus', config.eventBusName);
  }
  const bus = new EventBus(scope, 'EventBus', { eventBusName: Stack.of(scope).stackName });
  for (const statement of requestSenderStatements(bus, config)) bus.addToResourcePolicy(statement);
  return bus;
}

/**
 * The bus policy for request events: the configured senders (accounts and roles) may put
 * `Volume Provision Requested` events of the request source, and everyone else is denied that
 * source, so a principal of this account with a broad events:PutEvents cannot pose as a sender.
 * With no senders configured, everyone is denied it: requests are closed until someone is named.
 */
export function requestSenderStatements(bus: IEventBus, config: ServiceConfig): PolicyStatement[] {
  const accounts = config.requestSenders.filter(isAccountSender);
  const roles = config.requestSenders.filter((sender) => !isAccountSender(sender));
  const source = { 'events:source': [config.requestEventSource] };
  const statements: PolicyStatement[] = [];
  // A sender from this account needs no Allow (its own IAM policy grants PutEvents); others do.
  const principals: IPrincipal[] = [
    ...accounts.map(
      (account) => new ArnPrincipal(`arn:${Stack.of(bus).partition}:iam::${account}:root`),
    ),
    ...roles.map((arn) => new ArnPrincipal(arn)),
  ];
  if (principals.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'RequestSendersMayPutRequests',
        effect: Effect.ALLOW,
        principals,
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': source,
          StringEquals: { 'events:detail-type': PROVISION_REQUESTED_DETAIL_TYPE },
        },
      }),
    );
  }
  statements.push(
    new PolicyStatement({
      sid: 'OnlyRequestSendersPutRequests',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      // Denied when any entry has the request source and the caller is none of the senders
      // (every condition must hold, so a listed account or a listed role is let through; with
      // no senders, only the source is left, and everyone is denied it).
      conditions: {
        'ForAnyValue:StringEquals': source,
        ...(accounts.length > 0 ? { StringNotEquals: { 'aws:PrincipalAccount': accounts } } : {}),
        ...(roles.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': roles } } : {}),
      },
    }),
  );
  return statements;
}

export interface ProvisionRequestsProps {
  readonly bus: IEventBus;
  readonly records: VolumeTable;
  readonly provision: StateMachine;
  readonly config: ServiceConfig;
  readonly clusterArns: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly kubernetesNetwork?: FunctionNetwork;
}

/**
 * `Volume Provision Requested` events from the configured source, handled like POST /volumes
 * by functions/events/provision-requested.ts. A transient failure is thrown and retried
 * (EventBridge delivery, then Lambda's asynchronous retries); what still fails lands in the
 * dead-letter queue, never silently lost.
 */
export class ProvisionRequests extends Construct {
  readonly handler: ServiceFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: ProvisionRequestsProps) {
    super(scope, id);
    this.deadLetterQueue = eventDeadLetterQueue(this);
    const role = functionRole(this, 'Role', 'Volume Provision Requested events');
    this.role = role;
    props.records.grant(role, 'get', 'put', 'update', 'release');
    props.provision.grantStartExecution(role);
    grantDescribeExecutions(role, props.provision);
    addStatements(role, [
      describeClustersStatement(props.clusterArns),
      ...fargatePreflightStatements(props.clusterArns),
      lifecycleEventsStatement(props.bus, ['Volume Request Rejected']),
    ]);
    acknowledgeFargateProfileReads(role, props.clusterArns);

    this.handler = new ServiceFunction(this, 'ProvisionRequested', {
      entry: 'functions/events/provision-requested.ts',
      description: 'Volume Provision Requested events: validates, records, starts provisioning',
      role,
      environment: {
        ...props.environment,
        REQUEST_EVENT_SOURCE: props.config.requestEventSource,
        // Decided again by the function: a bus given with eventBusName has no policy of ours.
        REQUEST_SENDERS: JSON.stringify(props.config.requestSenders),
      },
      timeout: Duration.seconds(60),
      memorySize: 512,
      network: props.kubernetesNetwork,
    });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${PROVISION_REQUESTED_DETAIL_TYPE} from ${props.config.requestEventSource}`,
      eventPattern: {
        source: [props.config.requestEventSource],
        detailType: [PROVISION_REQUESTED_DETAIL_TYPE],
      },
      targets: [retriedLambdaTarget(this.handler, this.deadLetterQueue)],
    });
  }
}
