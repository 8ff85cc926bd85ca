import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  SERVICE_NAME,
  VolumeMetric,
  type VolumeMetricName,
} from '../functions/commons/powertools/metric-names.ts';
import type { ServiceConfig } from './config.ts';
import type { ServiceFunction } from './service-function.ts';
import type { WorkflowName } from './steps.ts';

/** Provisioning failures (FAILED or ROLLBACK_FAILED) per volume requested, in percent, over an hour. */
export const WORKFLOW_FAILURE_RATE_PERCENT = 20;

/** Share of API requests answered 5xx, in 2 of 3 five-minute periods. */
export const API_5XX_RATE = 0.05;

/**
 * Errors and throttles of one step function in 15 minutes beyond which the workflow's own
 * retries no longer explain them: steps throw on purpose (TransientError under throttling,
 * FileSystemNotReadyError while a file system is created) and the state machines retry.
 */
export const STEP_ERRORS_PER_15_MINUTES = 20;

export interface OperationsAlarmsProps {
  readonly config: Pick<ServiceConfig, 'alarmEmail' | 'alarmTopicArn'>;
  readonly api: RestApiBase;
  readonly apiFunctions: ReadonlyMap<string, ServiceFunction>;
  readonly stepFunctions: ReadonlyMap<string, ServiceFunction>;
  readonly eventFunctions: ReadonlyMap<string, ServiceFunction>;
  /** Functions a schedule invokes (the drift check). @default none */
  readonly scheduledFunctions?: ReadonlyMap<string, ServiceFunction>;
  readonly stateMachines: Readonly<Record<WorkflowName, IStateMachine>>;
  readonly requestDeadLetterQueue: IQueue;
}

/** One of the service's own metrics (functions/commons/powertools/metrics.ts), service-wide. */
function volumeMetric(
  name: VolumeMetricName,
  statistic = 'Sum',
  period: Duration = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period,
  });
}

/** A dashboard-only search over one metric of the service split by its dimensions. */
function searchBy(
  name: VolumeMetricName,
  dimensions: readonly string[],
  statistic: string,
): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimensions.join(',')}} MetricName="${name}" service="${SERVICE_NAME}"', '${statistic}', 300)`,
    period: Duration.minutes(5),
  });
}

/**
 * What on-call needs: alarms on volumes left behind (ROLLBACK_FAILED, DELETE_FAILED), the
 * workflow failure rate, request events given up on (the DLQ), API 5xx, and errors and
 * throttles of every function, all to one SNS topic (the configured one, or a new one
 * encrypted with a key of its own); and a dashboard of the same figures.
 */
export class OperationsAlarms extends Construct {
  readonly topic: ITopic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.topic = props.config.alarmTopicArn
      ? Topic.fromTopicArn(this, 'Topic', props.config.alarmTopicArn)
      : this.#ownTopic();
    if (props.config.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.config.alarmEmail));
    }

    const rollbackFailed = this.#alarm('RollbackFailed', {
      metric: volumeMetric(VolumeMetric.rollbackFailed),
      threshold: 0,
      description:
        'A volume ended ROLLBACK_FAILED: resources are left behind. Its record lists them; DELETE /volumes/{id} retries the cleanup.',
    });
    const deleteFailed = this.#alarm('DeleteFailed', {
      metric: volumeMetric(VolumeMetric.deleteFailed),
      threshold: 0,
      description:
        'A volume ended DELETE_FAILED: resources are left behind. Its record lists them; DELETE /volumes/{id} retries.',
    });
    const failureRate = new MathExpression({
      expression: 'IF(requested > 0, 100 * (failed + rollbackFailed) / requested, 0)',
      usingMetrics: {
        requested: volumeMetric(VolumeMetric.requested, 'Sum', Duration.hours(1)),
        failed: volumeMetric(VolumeMetric.failed, 'Sum', Duration.hours(1)),
        rollbackFailed: volumeMetric(VolumeMetric.rollbackFailed, 'Sum', Duration.hours(1)),
      },
      label: 'Provisioning failures per volume requested (%)',
      period: Duration.hours(1),
    });
    const workflowFailures = this.#alarm('WorkflowFailureRate', {
      metric: failureRate,
      threshold: WORKFLOW_FAILURE_RATE_PERCENT,
      description: `More than ${WORKFLOW_FAILURE_RATE_PERCENT}% of the volumes requested in an hour failed to provision. The records' error names the step.`,
    });
    const deadLetters = this.#alarm('RequestDeadLetters', {
      metric: props.requestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      description:
        'Volume Provision Requested events were given up on and wait in the dead-letter queue: no volume was made for them.',
    });
    const api5xx = this.#alarm('Api5xx', {
      // 5XXError is 0 or 1 per request: its average is the share answered 5xx.
      metric: props.api.metricServerError({ statistic: 'Average', period: Duration.minutes(5) }),
      threshold: API_5XX_RATE,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${API_5XX_RATE * 100}% of API requests answered 5xx (503: a dependency throttles or is down; 502: a cluster refuses the service).`,
    });

    const functionAlarms = [
      ...this.#functionAlarms(props.apiFunctions, 0, Duration.minutes(5), 'API'),
      ...this.#functionAlarms(props.eventFunctions, 0, Duration.minutes(5), 'request-event'),
      ...this.#functionAlarms(
        props.scheduledFunctions ?? new Map(),
        0,
        Duration.minutes(15),
        'scheduled',
      ),
      ...this.#functionAlarms(
        props.stepFunctions,
        STEP_ERRORS_PER_15_MINUTES,
        Duration.minutes(15),
        'workflow step',
      ),
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# efs-volumes\nVolumes by outcome, time to READY, each workflow step, the API, and every function. Alarms go to the SNS topic of the stack.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: [rollbackFailed, deleteFailed, workflowFailures, deadLetters, api5xx],
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Volumes',
        left: [
          volumeMetric(VolumeMetric.requested),
          volumeMetric(VolumeMetric.ready),
          volumeMetric(VolumeMetric.failed),
          volumeMetric(VolumeMetric.rollbackFailed),
          volumeMetric(VolumeMetric.deleted),
          volumeMetric(VolumeMetric.deleteFailed),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Time to READY (s)',
        left: ['p50', 'p90', 'Maximum'].map((statistic) =>
          volumeMetric(VolumeMetric.timeToReady, statistic).with({ label: statistic }),
        ),
        right: [failureRate],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Step duration p90 (ms), by step',
        left: [searchBy(VolumeMetric.stepDuration, ['step'], 'p90')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Step failures (incl. retried), by step',
        left: [searchBy(VolumeMetric.stepFailures, ['step'], 'Sum')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests by operation and status',
        left: [searchBy(VolumeMetric.apiRequests, ['operation', 'statusCode'], 'Sum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'API Gateway',
        left: [
          props.api.metricCount({ statistic: 'Sum', period: Duration.minutes(5) }),
          props.api.metricClientError({ statistic: 'Sum', period: Duration.minutes(5) }),
          props.api.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
        ],
        right: [props.api.metricLatency({ statistic: 'p90', period: Duration.minutes(5) })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Workflow executions',
        left: Object.entries(props.stateMachines).flatMap(([name, machine]) => [
          machine.metricStarted({ label: `${name} started` }),
          machine.metricFailed({ label: `${name} failed` }),
          machine.metricTimedOut({ label: `${name} timed out` }),
        ]),
        width: 12,
      }),
      new GraphWidget({
        title: 'Warm pool: members ready to take, by cluster',
        left: [searchBy(VolumeMetric.warmPoolAvailable, ['cluster'], 'Minimum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Request events given up on (DLQ)',
        left: [
          props.requestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
    );
    const functions = [
      ...props.apiFunctions,
      ...props.eventFunctions,
      ...(props.scheduledFunctions ?? []),
      ...props.stepFunctions,
    ];
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) =>
          fn.function.metricErrors({ label: name, statistic: 'Sum' }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function throttles',
        left: functions.map(([name, fn]) =>
          fn.function.metricThrottles({ label: name, statistic: 'Sum' }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Function alarms', alarms: functionAlarms, width: 24 }),
    );
  }

  /**
   * A topic of the stack's own: encrypted with a key of its own (CloudWatch cannot publish to
   * a topic under the AWS managed aws/sns key, whose policy it is not in), HTTPS only.
   */
  #ownTopic(): Topic {
    const key = new Key(this, 'TopicKey', {
      description: 'efs-volumes alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new Topic(this, 'Topic', {
      displayName: 'efs-volumes alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return topic;
  }

  /** An alarm above a threshold, to the topic; no data (nothing happened) is not a breach. */
  #alarm(
    id: string,
    options: {
      readonly metric: IMetric;
      readonly threshold: number;
      readonly description: string;
      readonly evaluationPeriods?: number;
      readonly datapointsToAlarm?: number;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.datapointsToAlarm ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * One alarm per function on its errors plus throttles (a metric math alarm reads at most
   * 10 metrics, so one alarm over all 26 functions is not possible; one per function also
   * names the culprit).
   */
  #functionAlarms(
    functions: ReadonlyMap<string, ServiceFunction>,
    threshold: number,
    period: Duration,
    kind: string,
  ): Alarm[] {
    return [...functions].map(([name, fn]) =>
      this.#alarm(`FunctionErrors-${name}`, {
        metric: new MathExpression({
          expression: 'errors + throttles',
          usingMetrics: {
            errors: fn.function.metricErrors({ statistic: 'Sum', period }),
            throttles: fn.function.metricThrottles({ statistic: 'Sum', period }),
          },
          label: `${name} errors + throttles`,
          period,
        }),
        threshold,
        description: `The ${kind} function ${name} had more than ${threshold} errors and throttles in ${period.toMinutes()} minutes.`,
      }),
    );
  }
}
