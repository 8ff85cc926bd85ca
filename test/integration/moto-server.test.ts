import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { modelTagReader, resourceTagsOf } from '../../local/aws-calls/resolve-resources.ts';
import {
  forgetFunctionIdentities,
  functionIdentities,
  LOCAL_ACCOUNT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
} from '../../local/credentials.ts';
import { recordingEndpointFor } from '../../local/lambda/aws-call-recorder.ts';
import { resetMoto } from '../../local/moto.ts';
import { motoEndpoint } from '../support/moto-endpoint.ts';

// local/moto-server.py: moto behind a server that keeps connections open (HTTP/1.1), reads
// a body by Content-Length or chunked, and answers every request with a Content-Length.

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly reusedSocket: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => agent.destroy());

/** DynamoDB ListTables, signed loosely (moto does not check signatures), with the body sent as asked. */
function listTables(
  options: { chunked?: boolean; close?: boolean; priority?: string } = {},
): Promise<Answer> {
  const url = new URL(motoEndpoint());
  const body = '{}';
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          ...(options.chunked ? {} : { 'content-length': String(body.length) }),
          ...(options.close ? { connection: 'close' } : {}),
          ...(options.priority ? { 'x-local-priority': options.priority } : {}),
        },
      },
      async (answer) => {
        let text = '';
        for await (const chunk of answer) text += chunk;
        resolve({
          status: answer.statusCode ?? 0,
          headers: answer.headers,
          body: text,
          reusedSocket: outgoing.reusedSocket,
        });
      },
    );
    outgoing.on('error', reject);
    // Two writes without a Content-Length: Node sends the body chunked.
    if (options.chunked) outgoing.write(body.slice(0, 1));
    outgoing.end(options.chunked ? body.slice(1) : body);
  });
}

describe('the moto server of local mode', () => {
  it('keeps the connection open between requests, as AWS endpoints do', async () => {
    const first = await listTables();
    const second = await listTables();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toHaveProperty('TableNames');
    expect(first.headers.connection).not.toBe('close');
    expect(first.headers['content-length']).toBe(String(Buffer.byteLength(first.body)));
    expect(second.status).toBe(200);
    expect(second.reusedSocket).toBe(true);
  });

  it('reads a chunked body', async () => {
    const answer = await listTables({ chunked: true });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty('TableNames');
  });

  it('closes the connection when the client asks it to', async () => {
    const answer = await listTables({ close: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    const next = await listTables();
    expect(next.status).toBe(200);
    expect(next.reusedSocket).toBe(false);
  });
});

describe('who waits for the moto server', () => {
  it('serves a call marked X-Local-Priority: api before the unmarked calls waiting', async () => {
    // Arrange: a table whose Scan keeps moto busy for milliseconds (far longer than reading a
    // request), and 40 such Scans at once, each on a connection of its own
    const table = `moto-turns-${Date.now().toString(36)}`;
    await createTable(table);
    for (let batch = 0; batch < 40; batch++) {
      await dynamodb('BatchWriteItem', {
        RequestItems: {
          [table]: Array.from({ length: 25 }, (_, index) => ({
            PutRequest: { Item: { id: { S: `item-${batch}-${index}` }, n: { N: '1' } } },
          })),
        },
      });
    }
    const answered: string[] = [];
    const scan = async (name: string) => {
      const counted = await dynamodb('Scan', {
        TableName: table,
        Select: 'COUNT',
        FilterExpression: 'n = :two',
        ExpressionAttributeValues: { ':two': { N: '2' } },
      });
      expect(counted.ScannedCount).toBe(1000);
      answered.push(name);
    };
    await scan('first');
    answered.length = 0;
    let halfServed = () => {};
    const served = new Promise<void>((resolve) => {
      halfServed = resolve;
    });
    const unmarked = Array.from({ length: 40 }, (_, index) =>
      scan(`unmarked-${index}`).then(() => {
        if (answered.length === 10) halfServed();
      }),
    );

    // Act: once moto has served 10 of them (the others wait for their turn), one marked call
    await served;
    const marked = await listTables({ priority: 'api' });
    answered.push('marked');
    await Promise.all(unmarked);

    // Assess: it did not wait its turn behind the 30 waiting before it (unmarked, it is
    // served last or nearly; marked, after the few served while moto's interpreter read it)
    expect(marked.status).toBe(200);
    const servedAfter = answered.length - 1 - answered.indexOf('marked');
    expect(servedAfter).toBeGreaterThan(10);
    await dynamodb('DeleteTable', { TableName: table });
  });
});

describe('the door that marks the calls moto serves first', () => {
  it('marks only the calls of the API functions, and drops a mark a function sent itself', async () => {
    // Arrange: a door in front of a server that keeps each request's mark
    const marks: Array<string | undefined> = [];
    const upstream = createServer((request, response) => {
      const mark = request.headers['x-local-priority'];
      marks.push(Array.isArray(mark) ? mark.join(',') : mark);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{"TableNames":[]}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    const door = await recordingEndpointFor(`http://127.0.0.1:${port}`);
    const identities = await functionIdentities(motoEndpoint());
    const keyOf = (name: string) => identities.get(name)?.accessKeyId ?? '';
    const call = (accessKeyId: string, headers: Record<string, string> = {}) =>
      dynamodb('ListTables', {}, { endpoint: door, accessKeyId, headers });

    // Act: an API function, a step, a step that marks its own call, and an unknown caller.
    // Not recorded: these calls are the test's, not the functions' (test/iam judges those).
    const callLog = process.env.LOCAL_AWS_CALL_LOG;
    delete process.env.LOCAL_AWS_CALL_LOG;
    try {
      await call(keyOf('getVolume'));
      await call(keyOf('CreateFileSystem'));
      await call(keyOf('CreateFileSystem'), { 'x-local-priority': 'api' });
      await call(LOCAL_CREDENTIALS.accessKeyId, { 'x-local-priority': 'api' });
    } finally {
      if (callLog !== undefined) process.env.LOCAL_AWS_CALL_LOG = callLog;
      upstream.close();
    }

    // Assess
    expect(keyOf('getVolume')).not.toBe('');
    expect(marks).toEqual(['api', undefined, undefined, undefined]);
  });
});

/**
 * A DynamoDB call as JSON, signed loosely as above: to moto as the local credentials, unless
 * told another endpoint (a door), another caller's access key or more headers.
 */
async function dynamodb(
  target: string,
  body: unknown,
  {
    endpoint = motoEndpoint(),
    accessKeyId = LOCAL_CREDENTIALS.accessKeyId,
    headers = {},
  }: { endpoint?: string; accessKeyId?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${target}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${target} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** An SDK client's configuration for this file's moto, with local mode's own keys. */
function motoClientConfig() {
  return { endpoint: motoEndpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

/** A table keyed by the string `id`, paid per request. */
async function createTable(table: string): Promise<void> {
  await dynamodb('CreateTable', {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
}

describe('the tags the AWS call recorder reads from the model', () => {
  it('are the tags the SDK reads for file systems, access points and EC2 resources', async () => {
    // Prepare: tagged, untagged and deleted resources of each kind the recorder reads
    const config = motoClientConfig();
    const clients = { efs: new EFSClient(config), ec2: new EC2Client(config) };
    const tags = [
      { Key: 'efs-fargate-volumes/volume-id', Value: 'vol-1' },
      { Key: 'Name', Value: 'tagged' },
    ];
    const { FileSystemId: tagged = '' } = await clients.efs.send(
      new CreateFileSystemCommand({ CreationToken: `tags-${Date.now()}-a`, Tags: tags }),
    );
    const { FileSystemId: untagged = '' } = await clients.efs.send(
      new CreateFileSystemCommand({ CreationToken: `tags-${Date.now()}-b` }),
    );
    const { FileSystemId: deleted = '' } = await clients.efs.send(
      new CreateFileSystemCommand({ CreationToken: `tags-${Date.now()}-c`, Tags: tags }),
    );
    await clients.efs.send(new DeleteFileSystemCommand({ FileSystemId: deleted }));
    const { AccessPointId: accessPoint = '' } = await clients.efs.send(
      new CreateAccessPointCommand({ FileSystemId: tagged, Tags: tags }),
    );
    const { Vpc } = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const { GroupId: group = '' } = await clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `tags-${Date.now()}`,
        Description: 'tags',
        VpcId: Vpc?.VpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
      }),
    );
    const where = `${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
    const arns = [
      `arn:aws:elasticfilesystem:${where}:file-system/${tagged}`,
      `arn:aws:elasticfilesystem:${where}:file-system/${untagged}`,
      `arn:aws:elasticfilesystem:${where}:file-system/${deleted}`,
      `arn:aws:elasticfilesystem:${where}:file-system/fs-00000000`,
      `arn:aws:elasticfilesystem:${where}:access-point/${accessPoint}`,
      `arn:aws:ec2:${where}:security-group/${group}`,
      `arn:aws:ec2:${where}:vpc/${Vpc?.VpcId}`,
      `arn:aws:ec2:${where}:security-group/*`,
      `arn:aws:dynamodb:${where}:table/volumes`,
    ];

    // Act
    const fromModel = await modelTagReader(motoEndpoint(), LOCAL_REGION)(arns);
    const described = await Promise.all(arns.map((arn) => resourceTagsOf(arn, clients)));

    // Assess: the same tags, for exactly the resources the SDK finds tagged
    const fromSdk = Object.fromEntries(
      arns.flatMap((arn, index) => {
        const found = described[index];
        return found && Object.keys(found).length > 0 ? [[arn, found]] : [];
      }),
    );
    const expected = Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value]));
    expect(Object.keys(fromSdk).sort()).toEqual([arns[0], arns[4], arns[5]].sort());
    expect(fromSdk[arns[0] ?? '']).toEqual(expected);
    expect(fromModel).toEqual(fromSdk);
  });

  it('are read by the SDK from a server without the model path (moto_server itself)', async () => {
    // Prepare: a server that answers every request 500, as moto_server answers /_local/tags
    const server = createServer((_request, response) => {
      response.writeHead(500).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    // Act
    const read = modelTagReader(`http://127.0.0.1:${port}`, LOCAL_REGION);
    const first = await read(['arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1']);
    server.close();
    const second = await read(['arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1']);

    // Assess: not available, and not asked again
    expect(first).toBeUndefined();
    expect(second).toBeUndefined();
  });
});

describe('DynamoDB items through local/moto_speed.py', () => {
  it('answers every kind of attribute value as it was written', async () => {
    const table = `moto-speed-${Date.now().toString(36)}`;
    await createTable(table);
    const item = {
      id: { S: 'item' },
      text: { S: '' },
      number: { N: '15' },
      binary: { B: 'aGVsbG8=' },
      binaries: { BS: ['aGVsbG8=', 'd29ybGQ='] },
      numbers: { NS: ['1', '2'] },
      texts: { SS: ['a', 'b'] },
      nothing: { NULL: true },
      flag: { BOOL: false },
      list: { L: [{ S: 'x' }, { M: {} }, { L: [] }, { NULL: true }, { BOOL: true }] },
      map: { M: { deep: { M: { list: { L: [{ N: '0' }, { B: 'eA==' }] } } } } },
    };
    await dynamodb('PutItem', { TableName: table, Item: item });
    const read = await dynamodb('GetItem', { TableName: table, Key: { id: { S: 'item' } } });
    expect(read.Item).toEqual(item);
    const updated = await dynamodb('UpdateItem', {
      TableName: table,
      Key: { id: { S: 'item' } },
      UpdateExpression: 'SET added = :added',
      ExpressionAttributeValues: { ':added': { M: { b: { B: 'eA==' }, n: { NULL: true } } } },
      ReturnValues: 'ALL_NEW',
    });
    expect(updated.Attributes).toEqual({
      ...item,
      added: { M: { b: { B: 'eA==' }, n: { NULL: true } } },
    });
    await dynamodb('DeleteTable', { TableName: table });
  });

  it('applies one update expression sent again and again, and refuses a bad one each time', async () => {
    // Prepare: one expression, parsed once and remembered (moto_speed.py), sent three times
    const table = `moto-speed-${Date.now().toString(36)}-update`;
    await createTable(table);
    await dynamodb('PutItem', {
      TableName: table,
      Item: { id: { S: 'item' }, n: { N: '1' }, m: { M: { x: { S: 'start' } } } },
    });
    const update = (value: string, expression = 'SET #n = #n + :one, m.x = :v ADD c :one') =>
      dynamodb('UpdateItem', {
        TableName: table,
        Key: { id: { S: 'item' } },
        UpdateExpression: expression,
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':v': { S: value } },
        ReturnValues: 'ALL_NEW',
      });

    // Act
    const answers = [await update('a'), await update('b'), await update('c')];

    // Assess: each applied to the item as it then was, with its own values
    expect(answers.map((answer) => answer.Attributes)).toEqual(
      ['a', 'b', 'c'].map((value, index) => ({
        id: { S: 'item' },
        n: { N: String(index + 2) },
        m: { M: { x: { S: value } } },
        c: { N: String(index + 1) },
      })),
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(update('d', 'SET = :v')).rejects.toThrow(/ValidationException/);
    }
    await dynamodb('DeleteTable', { TableName: table });
  });

  it('rolls a cancelled transaction back whole, and applies a good one', async () => {
    const table = `moto-speed-${Date.now().toString(36)}-tx`;
    await createTable(table);
    const kept = { id: { S: 'kept' }, count: { N: '1' }, nested: { M: { a: { S: 'x' } } } };
    const gone = { id: { S: 'gone' }, count: { N: '1' } };
    await dynamodb('PutItem', { TableName: table, Item: kept });
    await dynamodb('PutItem', { TableName: table, Item: gone });
    const write = (condition: string) =>
      dynamodb('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: table, Item: { id: { S: 'new' }, count: { N: '0' } } } },
          {
            Update: {
              TableName: table,
              Key: { id: { S: 'kept' } },
              UpdateExpression: 'SET #count = #count + :one, nested.a = :y',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':one': { N: '1' }, ':y': { S: 'y' } },
            },
          },
          { Delete: { TableName: table, Key: { id: { S: 'gone' } } } },
          {
            ConditionCheck: {
              TableName: table,
              Key: { id: { S: 'other' } },
              ConditionExpression: condition,
            },
          },
        ],
      });
    const items = async () =>
      ((await dynamodb('Scan', { TableName: table, ConsistentRead: true })).Items as unknown[])
        .map((item) => JSON.stringify(item))
        .sort();

    const before = await items();
    await expect(write('attribute_exists(id)')).rejects.toThrow(/TransactionCanceledException/);
    expect(await items()).toEqual(before);

    await write('attribute_not_exists(id)');
    const read = await dynamodb('GetItem', { TableName: table, Key: { id: { S: 'kept' } } });
    expect(read.Item).toEqual({
      id: { S: 'kept' },
      count: { N: '2' },
      nested: { M: { a: { S: 'y' } } },
    });
    expect((await items()).length).toBe(2);
    await dynamodb('DeleteTable', { TableName: table });
  });
});

describe('EC2 tags through local/moto_speed.py', () => {
  it('finds a group by its tags among many, with every tag in order, and wildcards as before', async () => {
    // Prepare: 30 groups, each with its own volume tag and two shared ones
    const ec2 = new EC2Client(motoClientConfig());
    const run = Date.now().toString(36);
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }));
    const groups: string[] = [];
    for (let index = 0; index < 30; index++) {
      const { GroupId = '' } = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `tags-${run}-${index}`,
          Description: 'tags',
          VpcId: Vpc?.VpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'volume', Value: `${run}-${index}` },
                { Key: 'z-shared', Value: run },
                { Key: 'a-shared', Value: run },
              ],
            },
          ],
        }),
      );
      groups.push(GroupId);
    }
    // A tag added later comes last
    await ec2.send(
      new CreateTagsCommand({
        Resources: [groups[7] ?? ''],
        Tags: [{ Key: 'm-later', Value: 'x' }],
      }),
    );

    // Act: a tag filter (each group's tags read one by one), and tag listings by id and wildcard
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'tag:volume', Values: [`${run}-7`] },
          { Name: 'tag-key', Values: ['a-shared'] },
        ],
      }),
    );
    const { Tags: byId = [] } = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [groups[7] ?? ''] }] }),
    );
    const { Tags: byWildcard = [] } = await ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: ['sg-*'] },
          { Name: 'value', Values: [run] },
        ],
      }),
    );

    // Assess: the one group, its tags as written; the wildcard still matches every group
    expect(SecurityGroups.map((group) => group.GroupId)).toEqual([groups[7]]);
    const written = [
      { Key: 'volume', Value: `${run}-7` },
      { Key: 'z-shared', Value: run },
      { Key: 'a-shared', Value: run },
      { Key: 'm-later', Value: 'x' },
    ];
    expect(SecurityGroups[0]?.Tags).toEqual(written);
    expect(byId.map((tag) => ({ Key: tag.Key, Value: tag.Value }))).toEqual(written);
    expect(byId.every((tag) => tag.ResourceType === 'security-group')).toBe(true);
    expect(new Set(byWildcard.map((tag) => tag.ResourceId))).toEqual(new Set(groups));
  });
});

describe('emptying moto between test files', () => {
  it('keeps the roles and role sessions it is asked to keep, and empties every other service', async () => {
    // Prepare: a table, a role, and a session of that role
    const config = motoClientConfig();
    const roleName = `kept-${Date.now().toString(36)}`;
    await new IAMClient(config).send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: '{}' }),
    );
    const { Credentials } = await new STSClient(config).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${roleName}`,
        RoleSessionName: 'kept-session',
      }),
    );
    const table = `emptied-${Date.now().toString(36)}`;
    await createTable(table);

    // Act
    const kept = await resetMoto(motoEndpoint(), ['iam', 'sts']);

    // Assess: the table is gone; the session still answers as the role, which still exists
    expect(kept).toBe(true);
    expect((await dynamodb('ListTables', {})).TableNames).not.toContain(table);
    const session = new STSClient({
      ...config,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
    });
    const { Arn } = await session.send(new GetCallerIdentityCommand({}));
    expect(Arn).toBe(`arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/kept-session`);
    const { Role } = await new IAMClient(config).send(new GetRoleCommand({ RoleName: roleName }));
    expect(Role?.RoleName).toBe(roleName);
  });
  it("makes the functions' role sessions again over roles the keeping reset kept", async () => {
    // Prepare: the roles exist (this process made them in this moto before the file began)
    const before = await functionIdentities(motoEndpoint());
    forgetFunctionIdentities(motoEndpoint());

    // Act: as a test process that lost its module state would (another project's file ran)
    const again = await functionIdentities(motoEndpoint());

    // Assess: every function has a session again, with new keys, on the same role
    expect([...again.keys()].sort()).toEqual([...before.keys()].sort());
    const [name, identity] = [...again][0] ?? [];
    expect(identity?.roleArn).toBe(before.get(name ?? '')?.roleArn);
    expect(identity?.accessKeyId).not.toBe(before.get(name ?? '')?.accessKeyId);
  });
});
