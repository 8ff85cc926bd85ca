import { describe, expect, it } from 'vitest';
import { parseServiceConfig, ServiceConfigError } from '../../infra/config.ts';
import { environmentOf } from '../support/stack-functions.ts';
import { synthesize, TEST_VPC_IDS } from './synthesize.ts';

const SENDER_ROLE = 'arn:aws:iam::222222222222:role/teams/request-sender';

function busPolicies(template: ReturnType<typeof synthesize>['template']) {
  return Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
    (resource) => resource.Properties.Statement as Record<string, unknown>,
  );
}

describe('the request event bus', () => {
  it('is a bus of the stack by default, and the request rule listens on it', () => {
    // Act
    const { template } = synthesize();

    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const [busId] = Object.keys(template.findResources('AWS::Events::EventBus'));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: {
        source: ['efs-volumes.requests'],
        'detail-type': ['Volume Provision Requested'],
      },
    });
  });

  it('denies the request source to everyone, its own account too, when no senders are configured', () => {
    // Prepare
    const synthesized = synthesize();

    // Act
    const statements = busPolicies(synthesized.template);

    // Assess: no Allow; a Deny of the request source whoever calls; the function told of no sender
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': ['efs-volumes.requests'] },
        },
      }),
    ]);
    expect(environmentOf(synthesized, 'provision-requested').REQUEST_SENDERS).toBe('[]');
  });

  it('allows the configured accounts and roles to send requests, and denies everyone else', () => {
    // Prepare
    const synthesized = synthesize({ config: { requestSenders: ['111111111111', SENDER_ROLE] } });

    // Act
    const statements = busPolicies(synthesized.template);

    // Assess
    const allow = statements.find((statement) => statement.Effect === 'Allow');
    const deny = statements.find((statement) => statement.Effect === 'Deny');
    expect(allow).toMatchObject({
      Action: 'events:PutEvents',
      Principal: {
        AWS: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
          SENDER_ROLE,
        ],
      },
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': ['efs-volumes.requests'] },
        StringEquals: { 'events:detail-type': 'Volume Provision Requested' },
      },
    });
    expect(deny).toMatchObject({
      Principal: { AWS: '*' },
      Condition: {
        'ForAnyValue:StringEquals': { 'events:source': ['efs-volumes.requests'] },
        StringNotEquals: { 'aws:PrincipalAccount': ['111111111111'] },
        ArnNotEquals: { 'aws:PrincipalArn': [SENDER_ROLE] },
      },
    });
    expect(environmentOf(synthesized, 'provision-requested').REQUEST_SENDERS).toBe(
      JSON.stringify(['111111111111', SENDER_ROLE]),
    );
  });

  it('puts no policy on a bus it does not own, and leaves the senders to the function', () => {
    // Act
    const synthesized = synthesize({
      config: { eventBusName: 'default', requestSenders: ['111111111111'] },
    });

    // Assess
    synthesized.template.resourceCountIs('AWS::Events::EventBus', 0);
    synthesized.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    synthesized.template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default' });
    expect(environmentOf(synthesized, 'provision-requested').REQUEST_SENDERS).toBe(
      '["111111111111"]',
    );
  });
});

describe('requestSenders', () => {
  it.each([[['12345']], [['arn:aws:iam::123456789012:user/alice']], ['111111111111']])(
    'refuses %j',
    (requestSenders) => {
      expect(() => parseServiceConfig({ requestSenders })).toThrow(/requestSenders must be a list/);
    },
  );

  it('is empty by default: no request event is accepted until someone is named', () => {
    expect(parseServiceConfig({ vpcIds: TEST_VPC_IDS }).requestSenders).toEqual([]);
  });

  it('refuses a role for a bus the stack does not own, whose events name only accounts', () => {
    expect(() =>
      parseServiceConfig({ requestSenders: [SENDER_ROLE], eventBusName: 'default' }),
    ).toThrow(/requestSenders names roles .*request-sender.*name their accounts here/);
  });

  it('takes accounts for a bus the stack does not own', () => {
    expect(
      parseServiceConfig({
        requestSenders: ['111111111111'],
        eventBusName: 'default',
        vpcIds: TEST_VPC_IDS,
      }).requestSenders,
    ).toEqual(['111111111111']);
  });

  it('refuses more senders than the request function environment holds beside the policy', () => {
    // Prepare: 60 roles of about 55 characters each
    const roles = Array.from(
      { length: 60 },
      (_, index) => `arn:aws:iam::111111111111:role/request-sender-${index}`,
    );

    // Act
    const parse = () => parseServiceConfig({ requestSenders: roles });

    // Assess
    expect(parse).toThrow(ServiceConfigError);
    expect(parse).toThrow(/accessPolicy and requestSenders are over 3000 characters/);
  });
});
