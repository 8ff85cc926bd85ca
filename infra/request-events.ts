import { Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import {
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  type IPrincipal,
  type IRole,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { isAccountSender } from '../functions/lib/events/request-senders.ts';
import { describeClustersStatement } from './cluster-permissions.ts';
import { hasWarmPool, type ServiceConfig } from './config.ts';
import { eventDeadLetterQueue, retriedLambdaTarget } from './event-delivery.ts';
import { grantDescribeExecutions } from './execution-permissions.ts';
import { lifecycleEventsStatement, PROVISION_REQUESTED_DETAIL_TYPE } from './lifecycle-events.ts';
import { acknowledgeFargateProfileReads } from './nag-acknowledgements.ts';
import { fargatePreflightStatements } from './operation-statements.ts';
import {
  EVENT_TIMEOUT,
  type FunctionNetwork,
  functionRole,
  ServiceFunction,
} from './service-function.ts';
import { addStatements, restoreSourceStatements } from './volume-permissions.ts';
import type { VolumeTable } from './volume-table.ts';

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
    // The create path lists the cluster's warm pool members, when a pool is kept.
    if (hasWarmPool(props.config)) props.records.grant(role, 'list');
    props.provision.grantStartExecution(role);
    grantDescribeExecutions(role, props.provision);
    addStatements(role, [
      describeClustersStatement(props.clusterArns),
      ...fargatePreflightStatements(props.clusterArns),
      lifecycleEventsStatement(props.bus, ['Volume Request Rejected']),
      // A request with restoreFrom: its source and recovery point checked as POST /volumes does.
      ...restoreSourceStatements(this),
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
      timeout: EVENT_TIMEOUT,
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
