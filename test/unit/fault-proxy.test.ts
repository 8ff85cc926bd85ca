import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsCall,
  awsOperationOf,
  type DeclaredError,
  errorAnswer,
  FaultPlan,
  type FaultProxy,
  type FaultRule,
  identifyCall,
  startFaultProxy,
} from '../../local/fault-proxy.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in for moto: records every request and answers each protocol with an empty success. */
async function startUpstream(): Promise<{
  endpoint: string;
  received: Received[];
  server: Server;
}> {
  const received: Received[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body,
    });
    if (request.headers['x-amz-target']) {
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      response.end(
        String(request.headers['x-amz-target']).startsWith('DynamoDB')
          ? '{"Item":{"id":{"S":"vol-1"}}}'
          : '{"stateMachines":[],"Entries":[],"FailedEntryCount":0}',
      );
    } else if (body.startsWith('Action=')) {
      response.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8' });
      response.end(
        '<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><securityGroupInfo/></DescribeSecurityGroupsResponse>',
      );
    } else if (request.url === '/2015-02-01/access-points') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`{"AccessPointId":"fsap-${received.length}","LifeCycleState":"creating"}`);
    } else {
      response.writeHead(request.method === 'POST' ? 201 : 200, {
        'Content-Type': 'application/json',
      });
      response.end(
        request.method === 'POST'
          ? '{"FileSystemId":"fs-12345678","LifeCycleState":"creating"}'
          : '{"FileSystems":[]}',
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, received, server };
}

const scope = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

const DYNAMODB_GET: AwsCall = { service: 'dynamodb', operation: 'GetItem', protocol: 'json' };

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startFaultProxy({ upstream: upstream.endpoint, seed: 7 });
});

afterEach(() => {
  proxy.clear();
  upstream.received.length = 0;
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => upstream?.server.close(resolve));
});

function clientConfig() {
  return { endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 2 };
}

describe('identifyCall', () => {
  it('names a JSON-protocol call by the credential scope and X-Amz-Target', () => {
    const call = identifyCall('POST', '/', {
      authorization: scope('dynamodb'),
      'x-amz-target': 'DynamoDB_20120810.PutItem',
    });

    expect(call).toEqual({ service: 'dynamodb', operation: 'PutItem', protocol: 'json' });
  });

  it('names an EC2 call by the Action of its form body', () => {
    const call = identifyCall(
      'POST',
      '/',
      { authorization: scope('ec2'), 'content-type': 'application/x-www-form-urlencoded' },
      Buffer.from('Action=CreateSecurityGroup&Version=2016-11-15&GroupName=g'),
    );

    expect(call).toEqual({ service: 'ec2', operation: 'CreateSecurityGroup', protocol: 'ec2' });
  });

  it('names a REST call by method and path, without the query string', () => {
    const call = identifyCall('GET', '/2015-02-01/file-systems?CreationToken=vol-1', {
      authorization: scope('elasticfilesystem'),
    });

    expect(call).toEqual({
      service: 'elasticfilesystem',
      operation: 'GET /2015-02-01/file-systems',
      protocol: 'rest-json',
    });
  });

  it('reads the service of a presigned query-string request', () => {
    const call = identifyCall(
      'GET',
      '/?Action=GetCallerIdentity&X-Amz-Credential=testing%2F20250101%2Fus-east-1%2Fsts%2Faws4_request',
      {},
    );

    expect(call).toEqual({ service: 'sts', operation: 'GetCallerIdentity', protocol: 'query' });
  });
});

describe('awsOperationOf', () => {
  it('names a DynamoDB transaction as the oracle does, not as IAM authorizes its items', () => {
    // Prepare
    const headers = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-target': 'DynamoDB_20120810.TransactWriteItems',
    };
    const body = JSON.stringify({ TransactItems: [{ Put: { TableName: 'volumes', Item: {} } }] });

    // Act
    const operation = awsOperationOf('POST', '/', headers, Buffer.from(body));

    // Assess
    expect(operation).toBe('dynamodb:TransactWriteItems');
  });
});

describe('FaultPlan', () => {
  it('injects only on the set calls of the matching operation', () => {
    // Prepare
    const plan = new FaultPlan({
      faults: [{ kind: 'throttling', service: 'dynamodb', operation: 'GetItem', calls: [2, 4] }],
    });
    const put: AwsCall = { ...DYNAMODB_GET, operation: 'PutItem' };

    // Act
    const decisions = [DYNAMODB_GET, put, DYNAMODB_GET, DYNAMODB_GET, put, DYNAMODB_GET].map(
      (call) => plan.decide(call).fault,
    );

    // Assess
    expect(decisions).toEqual([
      undefined,
      undefined,
      'throttling',
      undefined,
      undefined,
      'throttling',
    ]);
    expect(plan.stats().injected.throttling).toBe(2);
    expect(plan.stats().injectedByCall).toEqual({ 'dynamodb GetItem throttling': 2 });
  });

  it('injects at the set rate, the same calls for the same seed', () => {
    // Prepare
    const options = { seed: 42, faults: [{ kind: 'internal-error' as const, rate: 0.2 }] };
    const first = new FaultPlan(options);
    const second = new FaultPlan(options);

    // Act
    const a = Array.from({ length: 2000 }, () => first.decide(DYNAMODB_GET).fault);
    const b = Array.from({ length: 2000 }, () => second.decide(DYNAMODB_GET).fault);

    // Assess
    expect(a).toEqual(b);
    const share = a.filter(Boolean).length / a.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    const reseeded = new FaultPlan({ ...options, seed: 43 });
    expect(Array.from({ length: 2000 }, () => reseeded.decide(DYNAMODB_GET).fault)).not.toEqual(a);
  });

  it('stops after `times`, matches an operation prefix, and adds latency to a fault', () => {
    // Prepare
    const plan = new FaultPlan({
      faults: [
        { kind: 'latency', latencyMilliseconds: 50 },
        { kind: 'response-lost', operation: 'POST /2015-02-01/*', times: 1 },
      ],
    });
    const create: AwsCall = {
      service: 'elasticfilesystem',
      operation: 'POST /2015-02-01/access-points',
      protocol: 'rest-json',
    };

    // Act
    const decisions = [plan.decide(create), plan.decide(create), plan.decide(DYNAMODB_GET)];

    // Assess
    expect(decisions).toEqual([
      { fault: 'response-lost', delayMilliseconds: 50 },
      { delayMilliseconds: 50 },
      { delayMilliseconds: 50 },
    ]);
    expect(plan.stats()).toMatchObject({
      requests: 3,
      injected: { latency: 3, 'response-lost': 1, throttling: 0 },
    });
  });
});

describe('errorAnswer', () => {
  it('throttles a JSON protocol with 400 and x-amzn-ErrorType ThrottlingException', () => {
    const answer = errorAnswer('throttling', 'json', 'application/x-amz-json-1.0');

    expect(answer.status).toBe(400);
    expect(answer.headers).toMatchObject({
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-ErrorType': 'ThrottlingException',
    });
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
  });

  it('throttles EC2 with 503 RequestLimitExceeded in its XML error shape', () => {
    const answer = errorAnswer('throttling', 'ec2');

    expect(answer.status).toBe(503);
    expect(answer.body).toMatch(
      /<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded\.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
  });

  it('answers 5xx with InternalFailure and ServiceUnavailable', () => {
    expect(errorAnswer('internal-error', 'rest-json')).toMatchObject({
      status: 500,
      headers: { 'x-amzn-ErrorType': 'InternalFailure' },
    });
    expect(errorAnswer('service-unavailable', 'json').status).toBe(503);
    expect(errorAnswer('internal-error', 'ec2').body).toContain('<Code>InternalError</Code>');
    expect(errorAnswer('throttling', 'query')).toMatchObject({ status: 400 });
    expect(errorAnswer('throttling', 'query').body).toContain('<Code>Throttling</Code>');
  });
});

describe('startFaultProxy with the real SDK clients', () => {
  it('passes calls through unchanged when no fault is set', async () => {
    // Act
    const result = await new EFSClient(clientConfig()).send(
      new CreateFileSystemCommand({ CreationToken: 'vol-1', Encrypted: true }),
    );

    // Assess
    expect(result.FileSystemId).toBe('fs-12345678');
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]).toMatchObject({
      method: 'POST',
      url: '/2015-02-01/file-systems',
      headers: { authorization: expect.stringContaining('/elasticfilesystem/aws4_request') },
    });
    expect(JSON.parse(upstream.received[0]?.body ?? '{}')).toMatchObject({
      CreationToken: 'vol-1',
    });
    expect(proxy.stats().requests).toBeGreaterThan(0);
  });

  it('makes DynamoDB see a ThrottlingException and retry', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'throttling', service: 'dynamodb', calls: [1] }]);
    const before = proxy.stats().injected.throttling;

    // Act
    const result = await new DynamoDBClient(clientConfig()).send(
      new GetItemCommand({ TableName: 't', Key: { id: { S: 'vol-1' } } }),
    );

    // Assess
    expect(result.$metadata.attempts).toBe(2);
    expect(result.Item).toEqual({ id: { S: 'vol-1' } });
    expect(proxy.stats().injected.throttling - before).toBe(1);
  });

  it('makes EC2 see RequestLimitExceeded on every attempt', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'throttling', service: 'ec2', operation: 'DescribeSecurityGroups' }]);

    // Act
    const error = await new EC2Client(clientConfig())
      .send(new DescribeSecurityGroupsCommand({}))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({
      name: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
      $metadata: { httpStatusCode: 503, attempts: 2 },
    });
    expect(upstream.received).toHaveLength(0);
  });

  it('makes EFS, EventBridge and Step Functions see throttling and retry', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'throttling', calls: [1, 3, 5] }]);

    // Act
    const efs = await new EFSClient(clientConfig()).send(new DescribeFileSystemsCommand({}));
    const events = await new EventBridgeClient(clientConfig()).send(
      new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
    );
    const sfn = await new SFNClient(clientConfig()).send(new ListStateMachinesCommand({}));

    // Assess
    expect([efs, events, sfn].map((result) => result.$metadata.attempts)).toEqual([2, 2, 2]);
    expect(Object.keys(proxy.stats().injectedByCall)).toEqual(
      expect.arrayContaining([
        'elasticfilesystem GET /2015-02-01/file-systems throttling',
        'events PutEvents throttling',
        'states ListStateMachines throttling',
      ]),
    );
  });

  it('matches a call by its operation, as the AWS oracle keys it, and counts it so', async () => {
    // Prepare: the policy read, not the file system read that shares its path's prefix
    proxy.setFaults([
      {
        kind: 'declared-error',
        awsOperation: 'elasticfilesystem:DescribeFileSystemPolicy',
        error: { name: 'PolicyNotFound', status: 404, message: 'none' },
      },
    ]);
    const efs = new EFSClient({ ...clientConfig(), maxAttempts: 1 });

    // Act
    const listed = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' }));
    const policy = await efs
      .send(new DescribeFileSystemPolicyCommand({ FileSystemId: 'fs-1' }))
      .then(
        () => undefined,
        (error: Error) => error.name,
      );

    // Assess
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(policy).toBe('PolicyNotFound');
    expect(proxy.stats().injectedByOperation).toMatchObject({
      'elasticfilesystem:DescribeFileSystemPolicy declared-error': 1,
    });
  });

  it('answers 500 and 503 that the SDK retries', async () => {
    // Prepare
    proxy.setFaults([
      { kind: 'internal-error', calls: [1] },
      { kind: 'service-unavailable', calls: [2] },
    ]);
    const client = new DynamoDBClient({ ...clientConfig(), maxAttempts: 3 });

    // Act
    const result = await client.send(
      new GetItemCommand({ TableName: 't', Key: { id: { S: 'vol-1' } } }),
    );

    // Assess
    expect(result.$metadata.attempts).toBe(3);
    expect(upstream.received).toHaveLength(1);
  });

  it('drops the connection before the call reaches the service', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'connection-reset', calls: [1] }]);

    // Act
    const result = await new EFSClient(clientConfig()).send(
      new CreateFileSystemCommand({ CreationToken: 'vol-2' }),
    );

    // Assess: one attempt lost, the retry is the only call the service saw
    expect(result.$metadata.attempts).toBe(2);
    expect(upstream.received).toHaveLength(1);
  });

  it('forwards the call, then drops the answer, so the service acted twice', async () => {
    // Prepare
    proxy.setFaults([
      { kind: 'response-lost', service: 'elasticfilesystem', operation: 'POST *', calls: [1] },
    ]);

    // Act
    const result = await new EFSClient(clientConfig()).send(
      new CreateFileSystemCommand({ CreationToken: 'vol-3' }),
    );

    // Assess
    expect(result.$metadata.attempts).toBe(2);
    expect(upstream.received.map((call) => call.url)).toEqual([
      '/2015-02-01/file-systems',
      '/2015-02-01/file-systems',
    ]);
    expect(proxy.stats().injectedByCall).toMatchObject({
      'elasticfilesystem POST /2015-02-01/file-systems response-lost': 1,
    });
  });

  it('answers a retried CreateAccessPoint with the first answer, as EFS does for a reused ClientToken', async () => {
    // Prepare: the first answer is lost after moto created the access point
    proxy.setFaults([
      { kind: 'response-lost', operation: 'POST /2015-02-01/access-points', calls: [1] },
    ]);
    const efs = new EFSClient(clientConfig());
    const create = (ClientToken: string) =>
      efs.send(new CreateAccessPointCommand({ ClientToken, FileSystemId: 'fs-12345678' }));

    // Act
    const retried = await create('vol-4');
    const other = await create('vol-5');

    // Assess: the SDK's retry did not reach the service and got the first access point
    expect(retried).toMatchObject({ AccessPointId: 'fsap-1', $metadata: { attempts: 2 } });
    expect(other.AccessPointId).toBe('fsap-2');
    expect(upstream.received).toHaveLength(2);
  });

  it('answers a ClientToken reused with other parameters with AccessPointAlreadyExists', async () => {
    // Prepare
    const efs = new EFSClient(clientConfig());
    await efs.send(
      new CreateAccessPointCommand({ ClientToken: 'vol-6', FileSystemId: 'fs-12345678' }),
    );

    // Act
    const reused = await efs
      .send(
        new CreateAccessPointCommand({
          ClientToken: 'vol-6',
          FileSystemId: 'fs-12345678',
          PosixUser: { Uid: 1, Gid: 1 },
        }),
      )
      .catch((caught: unknown) => caught);

    // Assess: 409 naming the first access point, and moto was asked once
    expect(reused).toMatchObject({
      name: 'AccessPointAlreadyExists',
      AccessPointId: 'fsap-1',
      $metadata: { httpStatusCode: 409 },
    });
    expect(upstream.received).toHaveLength(1);
  });

  it('adds latency before forwarding', async () => {
    // Prepare
    proxy.setFaults([{ kind: 'latency', latencyMilliseconds: 300 }]);
    const started = performance.now();

    // Act
    await new EFSClient(clientConfig()).send(new DescribeFileSystemsCommand({}));

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(upstream.received).toHaveLength(1);
  });
});

describe('the declared-error fault, parsed by the real SDK clients into the named error', () => {
  /** Sends one call through the proxy answering `name` with `status`; the error the SDK made. */
  async function refusedWith(
    rule: Pick<FaultRule, 'service' | 'operation'>,
    error: DeclaredError,
    send: () => Promise<unknown>,
  ) {
    proxy.setFaults([{ kind: 'declared-error', ...rule, error }]);
    const caught = await send().then(
      () => undefined,
      (thrown: unknown) => thrown as Error & { $metadata?: { httpStatusCode?: number } },
    );
    return { name: caught?.name, status: caught?.$metadata?.httpStatusCode, caught };
  }

  it.each([
    ['EFS (REST-JSON, ErrorCode)', 'elasticfilesystem', 'NoFreeAddressesInSubnet', 409],
    ['EC2 (XML Errors)', 'ec2', 'InvalidGroup.NotFound', 400],
    ['DynamoDB (JSON __type)', 'dynamodb', 'ConditionalCheckFailedException', 400],
    ['Step Functions (JSON __type)', 'states', 'StateMachineDoesNotExist', 400],
    ['EventBridge (JSON __type)', 'events', 'InternalException', 500],
  ] as const)(
    'answers %s with the error named, not forwarded',
    async (_protocol, service, name, status) => {
      // Prepare
      const config = { ...clientConfig(), maxAttempts: 1 };
      const send: Record<typeof service, () => Promise<unknown>> = {
        elasticfilesystem: () =>
          new EFSClient(config).send(new CreateFileSystemCommand({ CreationToken: 'vol-1' })),
        ec2: () => new EC2Client(config).send(new DescribeSecurityGroupsCommand({})),
        dynamodb: () =>
          new DynamoDBClient(config).send(
            new GetItemCommand({ TableName: 't', Key: { id: { S: 'vol-1' } } }),
          ),
        states: () => new SFNClient(config).send(new ListStateMachinesCommand({})),
        events: () =>
          new EventBridgeClient(config).send(
            new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
          ),
      };

      // Act
      const refused = await refusedWith({ service }, { name, status }, send[service]);

      // Assess
      expect({ name: refused.name, status: refused.status }).toEqual({ name, status });
      expect(upstream.received).toEqual([]);
      expect(proxy.stats().injectedByCall).toMatchObject({
        [`${service} ${identifyOperation(service)} declared-error`]: expect.any(Number),
      });
    },
  );

  it("carries the error shape's members, as EFS's AccessPointAlreadyExists names the access point", async () => {
    // Act
    const refused = await refusedWith(
      { service: 'elasticfilesystem' },
      { name: 'AccessPointAlreadyExists', status: 409, members: { AccessPointId: 'fsap-1' } },
      () =>
        new EFSClient({ ...clientConfig(), maxAttempts: 1 }).send(
          new CreateAccessPointCommand({ FileSystemId: 'fs-1', ClientToken: 'token' }),
        ),
    );

    // Assess
    expect(refused.caught).toMatchObject({
      name: 'AccessPointAlreadyExists',
      AccessPointId: 'fsap-1',
    });
  });
});

/** The operation key identifyCall gives the call each case above sends. */
function identifyOperation(service: string): string {
  return {
    elasticfilesystem: 'POST /2015-02-01/file-systems',
    ec2: 'DescribeSecurityGroups',
    dynamodb: 'GetItem',
    states: 'ListStateMachines',
    events: 'PutEvents',
  }[service] as string;
}
