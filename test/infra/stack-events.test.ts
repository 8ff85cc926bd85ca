import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PROVISION_REQUESTED } from '../../functions/lib/events/provision-requested.ts';
import { PROVISION_REQUESTED_DETAIL_TYPE } from '../../infra/lifecycle-events.ts';
import { environmentOf, statementsOfFunction } from '../support/stack-functions.ts';
import { configured, plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import { logicalIdOf, propertiesOf, resourcesOfType, synthesize } from './synthesize.ts';

// EventBridge and the scheduler: execution ends, request events, the scheduled drift check.

synthesizeBeforeAll('plain', 'configured');

describe('execution ends', () => {
  it('sends every FAILED, TIMED_OUT or ABORTED execution of the three workflows on the default bus to SettleExecution, with retries and a dead-letter queue', () => {
    // Prepare
    const { template } = configured;

    // Act
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.states'] } },
    });

    // Assess
    expect(Object.keys(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0];
    expect(
      rule?.Properties?.EventBusName,
      'Step Functions only uses the default bus',
    ).toBeUndefined();
    expect(rule?.Properties?.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [
          { Ref: expect.stringMatching(/^WorkflowProvision/) },
          { Ref: expect.stringMatching(/^WorkflowDeprovision/) },
          { Ref: expect.stringMatching(/^WorkflowRepair/) },
        ],
      },
    });
    const [target] = (rule?.Properties?.Targets ?? []) as Array<Record<string, unknown>>;
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ExecutionSettlementSettleExecution/), 'Arn'] },
      DeadLetterConfig: { Arn: expect.anything() },
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number) },
    });
  });
});

describe('request events', () => {
  it('matches Volume Provision Requested from the configured source on the service bus', () => {
    // Prepare
    const { template } = configured;

    // Act
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['efs-volumes.requests'] } },
    });

    // Assess
    expect(Object.keys(rules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^EventBus') },
      EventPattern: {
        source: ['efs-volumes.requests'],
        'detail-type': ['Volume Provision Requested'],
      },
    });
    expect(PROVISION_REQUESTED_DETAIL_TYPE).toBe(PROVISION_REQUESTED);
  });

  it('follows a configured source', () => {
    // Prepare
    const synthesized = synthesize({ config: { requestEventSource: 'acme.platform' } });

    // Act
    const rule = synthesized.template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { 'detail-type': ['Volume Provision Requested'] } },
    });

    // Assess
    expect(Object.values(rule)[0]?.Properties?.EventPattern?.source).toEqual(['acme.platform']);
    expect(environmentOf(synthesized, 'provision-requested').REQUEST_EVENT_SOURCE).toBe(
      'acme.platform',
    );
  });

  it('retries delivery and invocation a bounded number of times, then dead-letters the event', () => {
    // Prepare
    const { template, stack } = plain;
    const queueId = logicalIdOf(stack, stack.requests.deadLetterQueue);

    // Act
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    const [target] = rule?.Properties?.Targets ?? [];

    // Assess
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.requests.handler.function), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('uses an existing bus when one is named, creating none', () => {
    // Prepare
    const synthesized = synthesize({ config: { eventBusName: 'default' } });

    // Act
    const buses = synthesized.template.findResources('AWS::Events::EventBus');

    // Assess
    expect(Object.keys(buses)).toHaveLength(0);
    expect(environmentOf(synthesized, 'complete-provisioning').EVENT_BUS_NAME).toBe('default');
  });
});

describe('scheduled drift check', () => {
  it('invokes CheckVolumes every 15 minutes by default, with a role that may invoke only it', () => {
    // Prepare
    const { stack, template } = plain;
    const functionId = logicalIdOf(stack, stack.healthChecks.handler.function);
    const roleId = logicalIdOf(stack, stack.healthChecks.schedulerRole);

    // Act
    const schedules = resourcesOfType(plain.resources, 'AWS::Scheduler::Schedule');

    // Assess
    expect(schedules).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    const statements = resourcesOfType(plain.resources, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        ((policy.Properties?.Roles as unknown[]) ?? []).some(
          (role) => (role as { Ref?: string }).Ref === roleId,
        ),
      )
      .flatMap(
        ([, policy]) => (propertiesOf(policy).PolicyDocument as { Statement: unknown[] }).Statement,
      );
    expect(statements).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      },
    ]);
  });

  it('takes the rate from healthCheckMinutes', () => {
    // Prepare
    const synthesized = synthesize({ config: { healthCheckMinutes: 45 } });

    // Act
    const schedules = resourcesOfType(synthesized.resources, 'AWS::Scheduler::Schedule');

    // Assess
    expect(schedules.map(([, schedule]) => schedule.Properties?.ScheduleExpression)).toEqual([
      'rate(45 minutes)',
    ]);
  });

  it('lets CheckVolumes start only the provisioning state machine, whose ARNs it is given', () => {
    // Prepare
    const { stack } = plain;
    const provisionId = logicalIdOf(stack, stack.workflow.stateMachines.provision);

    // Act
    const starts = statementsOfFunction(plain, 'check-volumes').filter((statement) =>
      [statement.Action].flat().includes('states:StartExecution'),
    );
    const environment = environmentOf(plain, 'check-volumes');

    // Assess
    expect(starts.map((statement) => statement.Resource)).toEqual([{ Ref: provisionId }]);
    expect(environment.PROVISION_STATE_MACHINE_ARN).toEqual({ Ref: provisionId });
    expect(environment.DEPROVISION_STATE_MACHINE_ARN).toEqual({
      Ref: logicalIdOf(stack, stack.workflow.stateMachines.deprovision),
    });
  });
});
