import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import {
  getAttTarget,
  logicalIdOf,
  propertiesOf,
  resourcesOfType,
  type TemplateResource,
} from './synthesize.ts';

// The REST API: its OpenAPI body, integrations, stage and invoke permissions.

synthesizeBeforeAll('plain');

describe('REST API', () => {
  interface Operation {
    readonly security?: unknown;
    readonly 'x-amazon-apigateway-integration'?: { type: string; httpMethod: string; uri: unknown };
  }

  function body(): Record<string, unknown> {
    const [[, api]] = resourcesOfType(plain.resources, 'AWS::ApiGateway::RestApi') as [
      [string, TemplateResource],
    ];
    return api.Properties?.Body as Record<string, unknown>;
  }

  function operations(): [string, Operation][] {
    const paths = body().paths as Record<string, Record<string, Operation>>;
    return Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) =>
          [`${method.toUpperCase()} ${path}`, operation] as [string, Operation],
      ),
    );
  }

  it('requires SigV4 (AWS_IAM) authorization on every method', () => {
    // Prepare
    const document = body();

    // Act
    const schemes = operations().map(([name, operation]) => [name, operation.security]);

    // Assess
    expect((document.components as Record<string, unknown>).securitySchemes).toEqual({
      sigv4: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
    });
    expect(schemes).toHaveLength(8);
    for (const [, security] of schemes) expect(security).toEqual([{ sigv4: [] }]);
  });

  it('proxies every method to its own Lambda', () => {
    // Prepare
    const expectedFunction: Record<string, string> = {
      'POST /volumes': 'createVolume',
      'GET /volumes': 'listVolumes',
      'GET /volumes/{id}': 'getVolume',
      'DELETE /volumes/{id}': 'deleteVolume',
      'GET /volumes/{id}/manifests': 'getVolumeManifests',
      'GET /volumes/{id}/recovery-points': 'listRecoveryPoints',
      'POST /volumes/{id}/check': 'checkVolume',
      'POST /volumes/{id}/repair': 'repairVolume',
    };

    // Act
    const integrations = operations().map(
      ([name, operation]) => [name, operation['x-amazon-apigateway-integration']] as const,
    );

    // Assess
    expect(integrations.map(([name]) => name).sort()).toEqual(Object.keys(expectedFunction).sort());
    for (const [name, integration] of integrations) {
      const fn = plain.stack.api.functions.get(expectedFunction[name] ?? '');
      if (!fn) throw new Error(`no function for ${name}`);
      const functionArn = { 'Fn::GetAtt': [logicalIdOf(plain.stack, fn.function), 'Arn'] };
      expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
      expect(JSON.stringify(integration?.uri)).toContain(JSON.stringify(functionArn));
    }
  });

  it('validates request bodies and parameters with the "all" validator', () => {
    // Prepare
    const document = body();

    // Act
    const validators = document['x-amazon-apigateway-request-validators'];

    // Assess
    expect(validators).toEqual({
      all: { validateRequestBody: true, validateRequestParameters: true },
    });
    expect(document['x-amazon-apigateway-request-validator']).toBe('all');
  });

  it('answers its own 4xx and 5xx as application/problem+json', () => {
    // Prepare
    const responses = body()['x-amazon-apigateway-gateway-responses'] as Record<
      string,
      { responseParameters: Record<string, string> }
    >;

    // Act
    const types = Object.keys(responses);

    // Assess
    expect(types).toEqual(
      expect.arrayContaining([
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'BAD_REQUEST_BODY',
        'ACCESS_DENIED',
        'THROTTLED',
      ]),
    );
    for (const response of Object.values(responses)) {
      expect(response.responseParameters['gatewayresponse.header.Content-Type']).toBe(
        "'application/problem+json'",
      );
    }
  });

  it('writes JSON access logs to a log group kept one month, and throttles the stage', () => {
    // Prepare
    const { template } = plain;

    // Act
    const stages = template.findResources('AWS::ApiGateway::Stage');

    // Assess
    expect(Object.keys(stages)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ],
    });
    const logGroupId = logicalIdOf(plain.stack, plain.stack.api.accessLogs);
    expect(plain.resources[logGroupId]?.Properties?.RetentionInDays).toBe(30);
  });

  it('lets API Gateway invoke each function only for its own method and path', () => {
    // Prepare
    const permissions = resourcesOfType(plain.resources, 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties?.Principal === 'apigateway.amazonaws.com',
    );

    // Act
    const routes = permissions.map(([, permission]) => {
      const sourceArn = propertiesOf(permission).SourceArn as { 'Fn::Join': [string, unknown[]] };
      const parts = sourceArn['Fn::Join'][1];
      return [getAttTarget(permission.Properties?.FunctionName), parts.at(-1)];
    });

    // Assess
    expect(routes).toHaveLength(8);
    expect(routes.map(([, route]) => route).sort()).toEqual([
      '/DELETE/volumes/*',
      '/GET/volumes',
      '/GET/volumes/*',
      '/GET/volumes/*/manifests',
      '/GET/volumes/*/recovery-points',
      '/POST/volumes',
      '/POST/volumes/*/check',
      '/POST/volumes/*/repair',
    ]);
  });
});
