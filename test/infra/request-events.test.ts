import { describe, expect, it } from 'vitest';
import { parseServiceConfig, ServiceConfigError } from '../../infra/config.ts';
import { synthesize } from './synthesize.ts';

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

  it('denies request events to every account but its own when no senders are configured', () => {
    // Act
    const statements = busPolicies(synthesize().template);

    // Assess: no Allow for others; a Deny of the request source to other accounts
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': ['efs-volumes.requests'] },
          StringNotEquals: { 'aws:PrincipalAccount': [{ Ref: 'AWS::AccountId' }] },
        },
      }),
    ]);
  });

  it('allows the configured accounts and roles to send requests, and denies everyone else', () => {
    // Act
    const statements = busPolicies(
      synthesize({ config: { requestSenders: ['111111111111', SENDER_ROLE] } }).template,
    );

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
  });

  it('puts no policy on a bus it does not own', () => {
    // Act
    const { template } = synthesize({ config: { eventBusName: 'default' } });

    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default' });
  });
});

describe('requestSenders', () => {
  it.each([[['12345']], [['arn:aws:iam::123456789012:user/alice']], ['111111111111']])(
    'refuses %j',
    (requestSenders) => {
      expect(() => parseServiceConfig({ requestSenders })).toThrow(/requestSenders must be a list/);
    },
  );

  it('refuses senders for a bus the stack does not own', () => {
    expect(() =>
      parseServiceConfig({ requestSenders: ['111111111111'], eventBusName: 'default' }),
    ).toThrow(ServiceConfigError);
  });
});
