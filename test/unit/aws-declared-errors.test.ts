// Every error the SDK's models declare for every operation the functions call, answered on the
// wire by the fault proxy in its service's protocol with the status AWS gives it (the model's
// httpError), parsed by the real SDK client, and classified by the code's own reading of the
// outcome table: the name survives the SDK, the table has its outcome, and the retry
// classifier agrees (a transient error is retried; a terminal one is not).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsOperation,
  DECLARED_ERROR_OUTCOMES,
  EC2_CODE_OUTCOMES,
  type Outcome,
} from '../../functions/lib/aws/aws-outcomes.ts';
import { AWS_ERROR_STATUSES } from '../../functions/lib/aws/oracle.generated.ts';
import { isTransientError, outcomeOf } from '../../functions/lib/aws/transient.ts';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.ts';

let upstream: Server;
let proxy: FaultProxy;

beforeAll(async () => {
  // Nothing may reach AWS: every call is answered by the rule.
  upstream = createServer((_request, response) => {
    response.writeHead(599);
    response.end();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
});

/** One call of each service, through the proxy, tried once. */
function sendOne(prefix: string): Promise<unknown> {
  const config = {
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  switch (prefix) {
    case 'dynamodb':
      return new DynamoDBClient(config).send(
        new GetItemCommand({ TableName: 't', Key: { id: { S: 'vol-1' } } }),
      );
    case 'ec2':
      return new EC2Client(config).send(new DescribeSecurityGroupsCommand({}));
    case 'elasticfilesystem':
      return new EFSClient(config).send(new DescribeFileSystemsCommand({}));
    case 'eks':
      return new EKSClient(config).send(new DescribeClusterCommand({ name: 'demo' }));
    case 'events':
      return new EventBridgeClient(config).send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
      );
    case 'states':
      return new SFNClient(config).send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:e',
        }),
      );
    default:
      throw new Error(`no call for ${prefix}`);
  }
}

interface Entry {
  readonly operation: AwsOperation;
  readonly name: string;
  readonly status: number;
  readonly outcome: Outcome;
}

const declared: Entry[] = Object.entries(DECLARED_ERROR_OUTCOMES).flatMap(([operation, outcomes]) =>
  Object.entries(outcomes as Record<string, Outcome>).map(([name, outcome]) => ({
    operation: operation as AwsOperation,
    name,
    status: (AWS_ERROR_STATUSES as Record<string, Record<string, number>>)[operation]?.[
      name
    ] as number,
    outcome,
  })),
);
// EC2's codes are a document, not a model: all of them answer 400.
const ec2Codes: Entry[] = Object.entries(EC2_CODE_OUTCOMES).flatMap(([operation, outcomes]) =>
  Object.entries(outcomes as Record<string, Outcome>).map(([name, outcome]) => ({
    operation: operation as AwsOperation,
    name,
    status: 400,
    outcome,
  })),
);

describe('every declared AWS error, from the wire to its outcome', () => {
  it('covers the whole table', () => {
    expect(declared.length).toBeGreaterThanOrEqual(143);
    expect(declared.every((entry) => Number.isInteger(entry.status))).toBe(true);
    expect(ec2Codes.length).toBeGreaterThanOrEqual(12);
  });

  it.each([...declared, ...ec2Codes])(
    '$operation answering $name ($status): $outcome',
    async ({ operation, name, status, outcome }) => {
      // Prepare
      const prefix = operation.split(':')[0] ?? '';
      proxy.setFaults([
        {
          kind: 'declared-error',
          // For these six services the IAM prefix is also the signing name the rule matches.
          service: prefix,
          error: { name, status, message: `${name} (injected)` },
        },
      ]);

      // Act
      const caught = await sendOne(prefix).then(
        () => undefined,
        (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } },
      );

      // Assess: the SDK names it as AWS does, the table reads it, the classifier agrees
      expect(caught?.name).toBe(name);
      expect(caught?.$metadata?.httpStatusCode).toBe(status);
      expect(outcomeOf(operation, caught)).toEqual(outcome);
      if (outcome === 'transient') expect(isTransientError(caught)).toBe(true);
      if (typeof outcome === 'object') expect(isTransientError(caught)).toBe(false);
    },
  );
});
