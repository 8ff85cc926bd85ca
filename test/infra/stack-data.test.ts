import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createVolumesTable } from '../../local/volumes-table.ts';
import {
  actionsOfFunction,
  functionsOf,
  statementsOfFunction,
} from '../support/stack-functions.ts';
import { plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import { actionsOf, resourcesOfType, type TemplateResource } from './synthesize.ts';

// The volume table.

synthesizeBeforeAll('plain');

describe('volume table', () => {
  it('is on demand, with point-in-time recovery, KMS encryption and the byCreation, byNamespace and byCluster indexes', () => {
    // Prepare
    const { template } = plain;

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCreation',
            KeySchema: [
              { AttributeName: 'recordType', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byNamespace',
            KeySchema: [
              { AttributeName: 'clusterNamespace', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byCluster',
            KeySchema: [
              { AttributeName: 'clusterName', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    });
  });

  it('is the table local/volumes-table.ts creates for local mode', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const dynamodb = mockClient(client);
    dynamodb.on(CreateTableCommand).resolves({});
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    const [[, table]] = resourcesOfType(plain.resources, 'AWS::DynamoDB::Table') as [
      [string, TemplateResource],
    ];

    // Act
    await createVolumesTable(client, 'volumes');

    // Assess
    const [call] = dynamodb.commandCalls(CreateTableCommand);
    const local = call?.args[0].input;
    expect({
      BillingMode: local?.BillingMode,
      AttributeDefinitions: local?.AttributeDefinitions,
      KeySchema: local?.KeySchema,
      GlobalSecondaryIndexes: local?.GlobalSecondaryIndexes,
    }).toEqual({
      BillingMode: table.Properties?.BillingMode,
      AttributeDefinitions: table.Properties?.AttributeDefinitions,
      KeySchema: table.Properties?.KeySchema,
      GlobalSecondaryIndexes: table.Properties?.GlobalSecondaryIndexes,
    });
  });

  it('lets only listVolumes and the drift check query, and only the byCreation, byNamespace and byCluster indexes', () => {
    // Prepare
    const names = [...functionsOf(plain).keys()];

    // Act
    const querying = names.filter((name) =>
      actionsOfFunction(plain, name).includes('dynamodb:Query'),
    );
    const [statement] = statementsOfFunction(plain, 'listVolumes').filter((s) =>
      actionsOf(s).includes('dynamodb:Query'),
    );

    // Assess
    // CheckVolumeBatch shares the drift check's role.
    expect(querying.sort()).toEqual(['check-volume-batch', 'check-volumes', 'listVolumes']);
    expect(JSON.stringify(statement?.Resource)).toContain('/index/byCreation');
    expect(JSON.stringify(statement?.Resource)).toContain('/index/byNamespace');
    expect(JSON.stringify(statement?.Resource)).toContain('/index/byCluster');
    expect(JSON.stringify(statement?.Resource)).not.toMatch(/\/index\/\*/);
  });
});
