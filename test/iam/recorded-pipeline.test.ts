// The whole pipeline on real calls, before (and besides) the main suite's recorder: the step
// logic of functions/lib/aws runs a volume's lifecycle against moto through a recording
// proxy; the records go through a JSON-lines file and are evaluated against the stack's roles.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccessPoint, ensureAccessPoint } from '../../functions/lib/aws/access-point.ts';
import { describeClusterNetwork } from '../../functions/lib/aws/cluster.ts';
import { deleteOwnFileSystem, ensureFileSystem } from '../../functions/lib/aws/file-system.ts';
import {
  ensureMountTargets,
  mountTargetsGone,
  readMountTargets,
  startDeletingMountTargets,
} from '../../functions/lib/aws/mount-targets.ts';
import {
  deleteSecurityGroup,
  ensureSecurityGroup,
} from '../../functions/lib/aws/security-group.ts';
import { volumeTags } from '../../functions/lib/aws/tags.ts';
import { putLifecycleEvent } from '../../functions/lib/volume/lifecycle-events.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { startExecution } from '../../functions/lib/workflow/workflow-start.ts';
import { parseRecordedCalls, type RecordedAwsCall } from '../../local/aws-calls/recorded-call.ts';
import { type MotoServer, startMoto } from '../../local/moto.ts';
import { seedCluster } from '../../local/seed-cluster.ts';
import { createVolumesTable } from '../../local/volumes-table.ts';
import { synthesize } from '../infra/synthesize.ts';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';
import {
  type FunctionPolicies,
  TEST_SITE,
  templatePolicies,
} from '../support/template-policies.ts';
import { evaluateRecordedCalls, vpcIdsOf } from './evaluate-recorded-calls.ts';

let moto: MotoServer;
let proxy: RecordingProxy;
let policies: Map<string, FunctionPolicies>;
let recorded: RecordedAwsCall[];

/** Runs a volume's provisioning and deletion, each step under its function's name. */
async function runLifecycle(): Promise<void> {
  const config = {
    endpoint: proxy.endpoint,
    region: TEST_SITE.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const efs = new EFSClient(config);
  const ec2 = new EC2Client(config);
  const eks = new EKSClient(config);
  const clusterName = `iam-${randomBytes(4).toString('hex')}`;
  proxy.actAs('seed');
  await seedCluster({ ec2, eks }, clusterName);
  const volumeId = `vol-${randomBytes(10).toString('hex')}`;
  const spec = validateVolumeRequest({ clusterName, namespace: 'team-a', name: 'data' });
  // The stack synthesize() builds, whose policies require its name in the stack tag.
  const tags = volumeTags(volumeId, spec, 'EfsVolumes');

  proxy.actAs('ResolveCluster');
  const cluster = await describeClusterNetwork({ eks, ec2 }, clusterName);
  proxy.actAs('CreateSecurityGroup');
  const groupId = await ensureSecurityGroup(ec2, volumeId, cluster, tags);
  proxy.actAs('CreateFileSystem');
  const { fileSystemId } = await ensureFileSystem(efs, volumeId, spec, tags, undefined);
  proxy.actAs('CreateMountTargets');
  const { mountTargetIds } = await ensureMountTargets(efs, fileSystemId, cluster, groupId);
  proxy.actAs('CreateAccessPoint');
  await ensureAccessPoint(efs, volumeId, fileSystemId, spec, tags);
  proxy.actAs('CheckMountTargets');
  await readMountTargets(efs, fileSystemId, mountTargetIds);

  proxy.actAs('DeleteAccessPoint');
  await deleteAccessPoint(efs, fileSystemId, volumeId);
  proxy.actAs('DeleteMountTargets');
  await startDeletingMountTargets(efs, fileSystemId, { shared: false, securityGroupId: groupId });
  proxy.actAs('CheckMountTargetsDeleted');
  await mountTargetsGone(efs, fileSystemId, mountTargetIds);
  proxy.actAs('DeleteFileSystem');
  await deleteOwnFileSystem(efs, volumeId);
  proxy.actAs('DeleteSecurityGroup');
  await deleteSecurityGroup(ec2, volumeId);
}

/** Record, list, workflow start and lifecycle event calls of the API and the last steps. */
async function runRecordsAndEvents(): Promise<void> {
  const config = {
    endpoint: proxy.endpoint,
    region: TEST_SITE.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  // Named as the suites name theirs; the template policies resolve the table to `*volumes-*`.
  const table = `volumes-${randomBytes(4).toString('hex')}`;
  proxy.actAs('seed');
  await createVolumesTable(dynamodb, table);
  const store = new VolumeRecordStore(documents, table);
  const id = `vol-${randomBytes(10).toString('hex')}`;

  proxy.actAs('createVolume');
  await store.get(id);
  await documents.send(
    new PutCommand({
      TableName: table,
      Item: { id, recordType: 'volume', createdAt: new Date().toISOString() },
    }),
  );
  await documents.send(
    new UpdateCommand({
      TableName: table,
      Key: { id },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': 'PENDING' },
    }),
  );
  // moto has no such state machine: the call is recorded all the same, before it is sent.
  const machine = `arn:aws:states:${TEST_SITE.region}:${TEST_SITE.accountId}:stateMachine:efs-volumes-provision`;
  await startExecution({ sfn: new SFNClient(config) }, machine, id, {
    volumeId: id,
    operation: 'provision',
  }).catch(() => undefined);
  proxy.actAs('listVolumes');
  await store.list({ limit: 10 });
  proxy.actAs('getVolume');
  await store.get(id);
  proxy.actAs('CompleteProvisioning');
  await store.get(id);
  await putLifecycleEvent(new EventBridgeClient(config), 'default', 'Volume Ready', { id });
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint, TEST_SITE);
  await runLifecycle();
  await runRecordsAndEvents();
  // Through a JSON-lines file, as the main suite's recorder hands them over.
  const file = join(mkdtempSync(join(tmpdir(), 'aws-calls-')), 'lifecycle.jsonl');
  const ours = proxy.calls.filter((call) => call.function !== 'seed');
  writeFileSync(file, ours.map((call) => JSON.stringify(call)).join('\n'));
  recorded = parseRecordedCalls(readFileSync(file, 'utf8'), file);
  // The stack configured with the cluster's VPC, which moto named.
  policies = templatePolicies(synthesize({ config: { vpcIds: vpcIdsOf(recorded) } }));
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('recorded calls of a volume lifecycle against moto', () => {
  it('records every step, with looked-up resources and the tags they carried', () => {
    // Act
    const deleteMountTarget = recorded.find(
      (call) => call.action === 'elasticfilesystem:DeleteMountTarget',
    );
    const deleteInterface = recorded.find((call) => call.action === 'ec2:DeleteNetworkInterface');
    const deleteGroup = recorded.find((call) => call.action === 'ec2:DeleteSecurityGroup');

    // Assess
    expect(new Set(recorded.map((call) => call.function))).toEqual(
      new Set([
        'ResolveCluster',
        'CreateSecurityGroup',
        'CreateFileSystem',
        'CreateMountTargets',
        'CreateAccessPoint',
        'CheckMountTargets',
        'DeleteAccessPoint',
        'DeleteMountTargets',
        'CheckMountTargetsDeleted',
        'DeleteFileSystem',
        'DeleteSecurityGroup',
        'createVolume',
        'listVolumes',
        'getVolume',
        'CompleteProvisioning',
      ]),
    );
    expect(deleteMountTarget?.resources[0]).toMatch(/:file-system\/fs-/);
    expect(deleteInterface?.resources[0]).toMatch(/:network-interface\/eni-/);
    // EC2 sets ec2:Vpc from the interface (delete) and its subnet (create): the roles need it.
    const createInterface = recorded.find((call) => call.action === 'ec2:CreateNetworkInterface');
    expect(deleteInterface?.conditions?.['ec2:Vpc']).toMatch(/:vpc\/vpc-[0-9a-f]{17}$/);
    expect(createInterface?.conditions?.['ec2:Vpc']).toEqual(
      deleteInterface?.conditions?.['ec2:Vpc'],
    );
    const fileSystem = deleteMountTarget?.resources[0] ?? '';
    expect(deleteMountTarget?.resourceTags[fileSystem]?.['efs-volumes:volume-id']).toMatch(/^vol-/);
    const group = deleteGroup?.resources[0] ?? '';
    expect(deleteGroup?.resourceTags[group]?.['efs-volumes:volume-id']).toMatch(/^vol-/);
  });

  it('allows every recorded call on the roles of the synthesized stack', async () => {
    // Act
    const { allowed, denied } = await evaluateRecordedCalls(recorded, policies);

    // Assess
    expect(denied.map(({ call, reason }) => `${call.function}: ${reason}`)).toEqual([]);
    expect(allowed).toBe(recorded.length);
    expect(allowed).toBeGreaterThan(40);
    for (const action of [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'states:StartExecution',
      'events:PutEvents',
    ]) {
      expect(recorded.some((call) => call.action === action)).toBe(true);
    }
  });

  it('denies CreateFileSystem under the statement the stack had before (file-system/*)', async () => {
    // Prepare
    const before = new Map(policies);
    const createFileSystem = policies.get('CreateFileSystem');
    if (!createFileSystem) throw new Error('no CreateFileSystem function');
    const fileSystems = `arn:aws:elasticfilesystem:${TEST_SITE.region}:${TEST_SITE.accountId}:file-system/*`;
    before.set('CreateFileSystem', {
      ...createFileSystem,
      policies: createFileSystem.policies.map(({ name, policy }) => ({
        name,
        policy: {
          ...policy,
          Statement: policy.Statement.map((statement) =>
            statement.Sid === 'CreateTaggedFileSystem'
              ? { ...statement, Resource: fileSystems }
              : statement,
          ),
        },
      })),
    });

    // Act
    const { denied } = await evaluateRecordedCalls(recorded, before);

    // Assess
    expect(denied.map(({ call }) => `${call.function} ${call.action}`)).toEqual([
      'CreateFileSystem elasticfilesystem:CreateFileSystem',
    ]);
  });
});
