import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  METRICS_NAMESPACE,
  SERVICE_NAME,
  VolumeMetric,
} from '../../functions/commons/powertools/metric-names.ts';
import { parseServiceConfig, ServiceConfigError } from '../../infra/config.ts';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import {
  logicalIdOf,
  propertiesOf,
  resourcesOfType,
  type SynthesizedStack,
  synthesize,
  TEST_VPC_IDS,
  type TemplateResource,
} from './synthesize.ts';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:on-call';

let plain: SynthesizedStack;
let withEmail: SynthesizedStack;
let withTopic: SynthesizedStack;

beforeAll(() => {
  plain = synthesize();
  withEmail = synthesize({ config: { alarmEmail: 'storage-oncall@example.com' } });
  withTopic = synthesize({
    config: { alarmTopicArn: TOPIC_ARN, alarmEmail: 'storage-oncall@example.com' },
  });
}, 120_000);

interface AlarmProperties {
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Dimensions?: ReadonlyArray<{ Name: string; Value: unknown }>;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly AlarmActions: unknown[];
  readonly Metrics?: ReadonlyArray<{
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: {
        MetricName: string;
        Namespace: string;
        Dimensions?: ReadonlyArray<{ Name: string; Value: unknown }>;
      };
    };
  }>;
}

function alarms(synthesized: SynthesizedStack): AlarmProperties[] {
  return resourcesOfType(synthesized.resources, 'AWS::CloudWatch::Alarm').map(
    ([, alarm]) => propertiesOf(alarm) as unknown as AlarmProperties,
  );
}

/** The metrics an alarm reads, whether it watches one metric or a math expression. */
function metricsOf(alarm: AlarmProperties) {
  if (alarm.MetricName) {
    return [{ name: alarm.MetricName, namespace: alarm.Namespace, dimensions: alarm.Dimensions }];
  }
  return (alarm.Metrics ?? []).flatMap((query) =>
    query.MetricStat
      ? [
          {
            name: query.MetricStat.Metric.MetricName,
            namespace: query.MetricStat.Metric.Namespace,
            dimensions: query.MetricStat.Metric.Dimensions,
          },
        ]
      : [],
  );
}

/** The one alarm that watches a metric alone, or else the one math alarm that reads it. */
function alarmOn(synthesized: SynthesizedStack, metricName: string): AlarmProperties {
  const all = alarms(synthesized);
  const alone = all.filter((alarm) => alarm.MetricName === metricName);
  const found =
    alone.length > 0
      ? alone
      : all.filter((alarm) => metricsOf(alarm).some((metric) => metric.name === metricName));
  expect(found).toHaveLength(1);
  return found[0] as AlarmProperties;
}

function topicRef(synthesized: SynthesizedStack): unknown {
  const topic = synthesized.stack.operations.topic;
  return { Ref: logicalIdOf(synthesized.stack, topic as never) };
}

describe('alarm topic', () => {
  it('is a topic of the stack encrypted with a rotated key CloudWatch may use, HTTPS only', () => {
    // Prepare
    const { template } = plain;
    const [[keyId, key] = ['', {} as TemplateResource]] = resourcesOfType(
      plain.resources,
      'AWS::KMS::Key',
    ).filter(([id]) => id.startsWith('OperationsTopicKey'));

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(propertiesOf(key).EnableKeyRotation).toBe(true);
    expect(JSON.stringify(propertiesOf(key).KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the configured email address', () => {
    // Assess
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'storage-oncall@example.com',
      TopicArn: topicRef(withEmail),
    });
  });

  it('sends to the configured topic instead of creating one', () => {
    // Assess
    withTopic.template.resourceCountIs('AWS::SNS::Topic', 0);
    withTopic.template.resourceCountIs('AWS::KMS::Key', 0);
    expect(alarms(withTopic).map((alarm) => alarm.AlarmActions)).toEqual(
      alarms(withTopic).map(() => [TOPIC_ARN]),
    );
    withTopic.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      TopicArn: TOPIC_ARN,
    });
  });
});

describe('alarms', () => {
  it('sends every alarm to the topic', () => {
    // Act
    const actions = alarms(plain).map((alarm) => alarm.AlarmActions);

    // Assess
    expect(actions.length).toBeGreaterThan(5);
    expect(actions).toEqual(actions.map(() => [topicRef(plain)]));
  });

  it.each([VolumeMetric.rollbackFailed, VolumeMetric.deleteFailed])(
    'alarms on any volume counted in %s',
    (metricName) => {
      // Act
      const alarm = alarmOn(plain, metricName);

      // Assess
      expect(alarm).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Sum',
      });
    },
  );

  it('alarms on the workflow failure rate: failed and rolled-back volumes per volume requested', () => {
    // Act
    const alarm = alarmOn(plain, VolumeMetric.requested);

    // Assess
    expect(metricsOf(alarm).map((metric) => metric.name)).toEqual([
      VolumeMetric.requested,
      VolumeMetric.failed,
      VolumeMetric.rollbackFailed,
    ]);
    expect(alarm.Metrics?.find((query) => query.Expression)?.Expression).toBe(
      'IF(requested > 0, 100 * (failed + rollbackFailed) / requested, 0)',
    );
    expect(alarm.Threshold).toBe(20);
  });

  it('alarms when a request event lands in the dead-letter queue', () => {
    // Prepare
    const queue = logicalIdOf(plain.stack, plain.stack.requests.deadLetterQueue);

    // Act
    const alarm = alarmOn(plain, 'ApproximateNumberOfMessagesVisible');

    // Assess
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it("alarms on the API's 5xx answers", () => {
    // Act
    const alarm = alarmOn(plain, '5XXError');

    // Assess
    expect(alarm).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 0.05 });
    expect(alarm.Dimensions?.map((dimension) => dimension.Name)).toEqual(['ApiName']);
  });

  it('alarms on the errors and throttles of every function, one alarm each', () => {
    // Prepare
    const { stack } = plain;
    const functions = [
      ...stack.workflow.stepFunctions.values(),
      ...stack.api.functions.values(),
      stack.requests.handler,
      stack.healthChecks.handler,
      stack.settlement.handler,
    ].map((fn) => logicalIdOf(stack, fn.function));

    // Act
    const watched = alarms(plain)
      .map(metricsOf)
      .filter((metrics) => metrics.some((metric) => metric.namespace === 'AWS/Lambda'))
      .map((metrics) => ({
        names: metrics.map((metric) => metric.name).sort(),
        functions: [...new Set(metrics.map((metric) => JSON.stringify(metric.dimensions)))],
      }));

    // Assess
    expect(watched).toHaveLength(functions.length);
    for (const alarm of watched) {
      expect(alarm.names).toEqual(['Errors', 'Throttles']);
      expect(alarm.functions).toHaveLength(1);
    }
    expect(
      watched.map((alarm) => JSON.parse(alarm.functions[0] ?? '[]')[0].Value.Ref).sort(),
    ).toEqual(functions.sort());
  });

  it("watches only metrics of the service's own that the functions emit", () => {
    // Act
    const own = alarms(plain)
      .flatMap(metricsOf)
      .filter((metric) => metric.namespace === METRICS_NAMESPACE);

    // Assess
    expect(own.length).toBeGreaterThan(0);
    for (const metric of own) {
      expect(Object.values(VolumeMetric)).toContain(metric.name);
      expect(metric.dimensions).toEqual([{ Name: 'service', Value: SERVICE_NAME }]);
    }
  });
});

describe('tracing', () => {
  it('traces every function actively with X-Ray', () => {
    // Act
    const functions = resourcesOfType(plain.resources, 'AWS::Lambda::Function').filter(
      ([, fn]) => propertiesOf(fn).Handler === 'index.handler',
    );

    // Assess
    // Every function of the catalog: steps, API operations, request events, settlement, scheduled check.
    expect(functions).toHaveLength(FUNCTION_CATALOG.length);
    for (const [, fn] of functions) {
      expect(propertiesOf(fn).TracingConfig).toEqual({ Mode: 'Active' });
    }
  });
});

describe('dashboard', () => {
  it('charts the volume outcomes, time to READY, steps, API requests and every alarm', () => {
    // Prepare
    const [[, dashboard] = ['', {} as TemplateResource]] = resourcesOfType(
      plain.resources,
      'AWS::CloudWatch::Dashboard',
    );

    // Act
    const body = JSON.stringify(propertiesOf(dashboard).DashboardBody);

    // Assess
    for (const name of [
      VolumeMetric.requested,
      VolumeMetric.ready,
      VolumeMetric.failed,
      VolumeMetric.rollbackFailed,
      VolumeMetric.deleted,
      VolumeMetric.deleteFailed,
      VolumeMetric.timeToReady,
      VolumeMetric.stepDuration,
      VolumeMetric.stepFailures,
      VolumeMetric.apiRequests,
      '5XXError',
      'ExecutionsFailed',
      'ApproximateNumberOfMessagesVisible',
      'Throttles',
    ]) {
      expect(body).toContain(name);
    }
    const alarmIds = resourcesOfType(plain.resources, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const id of alarmIds) expect(body).toContain(id);
  });
});

describe('alarm settings', () => {
  it('reads an email address and an existing topic ARN', () => {
    // Act
    const config = parseServiceConfig({
      alarmEmail: 'a@example.com',
      alarmTopicArn: TOPIC_ARN,
      vpcIds: TEST_VPC_IDS,
    });

    // Assess
    expect(config).toMatchObject({ alarmEmail: 'a@example.com', alarmTopicArn: TOPIC_ARN });
  });

  it.each([
    [{ alarmEmail: 'not an address' }, 'alarmEmail'],
    [{ alarmEmail: 42 }, 'alarmEmail'],
    [{ alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' }, 'alarmTopicArn'],
    [{ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms.fifo' }, 'alarmTopicArn'],
  ])('refuses %j, naming the setting', (raw, setting) => {
    // Act
    const parse = () => parseServiceConfig(raw);

    // Assess
    expect(parse).toThrow(ServiceConfigError);
    expect(parse).toThrow(setting);
  });
});
