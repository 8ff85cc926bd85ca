import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteAccessPointCommand,
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient, ListFargateProfilesCommand } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { serviceSettings } from '../../functions/lib/config.ts';
import {
  beginRepair,
  completeRepair,
  type RepairDependencies,
  recordRepairFailure,
} from '../../functions/lib/repair/repair-steps.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const efsMock = mockClient(EFSClient);
const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const eventsMock = mockClient(EventBridgeClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const records = new VolumeRecordStore(documentClient, 'volumes', () => new Date(NOW));
const NOW = '2026-11-29T08:00:00.000Z';
const EXECUTION = `${VOLUME_ID}-repair-0a1b2c3d`;
const PV = `efs-${VOLUME_ID}`;

/** The Kubernetes objects a healthy volume has, by API path, as the fake reader serves them. */
const HEALTHY_OBJECTS: Record<string, unknown> = {
  [`/api/v1/persistentvolumes/${PV}`]: {
    spec: {
      csi: { volumeHandle: 'fs-1::fsap-1' },
      claimRef: { namespace: 'team-a', name: 'shared-data' },
    },
    status: { phase: 'Bound' },
  },
  '/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data': {
    spec: { volumeName: PV },
    status: { phase: 'Bound' },
  },
};

function dependencies(objects: Record<string, unknown> = HEALTHY_OBJECTS): RepairDependencies {
  return {
    records,
    efs: new EFSClient({}),
    eks: new EKSClient({}),
    ec2: new EC2Client({}),
    events: new EventBridgeClient({}),
    settings: { ...serviceSettings(), eventBusName: 'volumes-bus' },
    kubernetes: async () => ({
      readObject: async <T>(path: string) => objects[path] as T | undefined,
    }),
    now: () => new Date(NOW),
  };
}

function repairingRecord(overrides: Partial<VolumeRecord> = {}): VolumeRecord {
  const spec = volumeSpec();
  return {
    recordType: 'volume',
    id: VOLUME_ID,
    status: 'REPAIRING',
    repairExecutionName: EXECUTION,
    repair: { status: 'RUNNING', startedAt: NOW },
    spec,
    clusterName: spec.clusterName,
    namespace: spec.namespace,
    name: spec.name,
    createdAt: '2026-11-29T07:00:00.000Z',
    updatedAt: NOW,
    steps: {},
    resources: {
      fileSystemId: 'fs-1',
      fileSystemShared: false,
      securityGroupId: 'sg-1',
      mountTargetIds: ['fsmt-a', 'fsmt-b'],
      accessPointId: 'fsap-1',
      persistentVolumeName: PV,
      persistentVolumeClaim: { namespace: 'team-a', name: 'shared-data' },
    },
    ...overrides,
  };
}

const STATE: StepState = {
  volumeId: VOLUME_ID,
  spec: volumeSpec(),
  operation: 'repair',
  executionName: EXECUTION,
};

/** A healthy volume's AWS side: a cluster in two zones, file system, mount targets, access point. */
function givenHealthyAws() {
  eksMock.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'demo',
      status: 'ACTIVE',
      endpoint: 'https://demo.example',
      certificateAuthority: { data: 'Q0E=' },
      resourcesVpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], vpcId: 'vpc-1' },
    },
  });
  eksMock.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1' },
      { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b', VpcId: 'vpc-1' },
    ],
  });
  efsMock.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      {
        FileSystemId: 'fs-1',
        LifeCycleState: 'available',
        CreationToken: VOLUME_ID,
        OwnerId: '123456789012',
        CreationTime: new Date(),
        NumberOfMountTargets: 2,
        SizeInBytes: { Value: 0 },
        PerformanceMode: 'generalPurpose',
        Tags: [],
      },
    ],
  });
  efsMock.on(DescribeMountTargetsCommand).resolves({
    MountTargets: ['a', 'b'].map((zone) => ({
      MountTargetId: `fsmt-${zone}`,
      FileSystemId: 'fs-1',
      SubnetId: `subnet-${zone}`,
      AvailabilityZoneName: `us-east-1${zone}`,
      LifeCycleState: 'available',
      OwnerId: '123456789012',
    })),
  });
  efsMock.on(DescribeAccessPointsCommand).resolves({
    AccessPoints: [{ AccessPointId: 'fsap-1', FileSystemId: 'fs-1', LifeCycleState: 'available' }],
  });
}

/** The UpdateCommands that ended the repair (VolumeRecordStore.endRepair). */
function repairEnds() {
  return documentMock
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.ExpressionAttributeValues?.[':outcome'] !== undefined);
}

/** The UpdateCommands that changed the volume's status, step transitions left out. */
function statusUpdates() {
  return documentMock
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.ExpressionAttributeNames?.['#step'] === undefined);
}

beforeEach(() => {
  for (const mock of [documentMock, efsMock, eksMock, ec2Mock, eventsMock]) mock.reset();
  documentMock.on(UpdateCommand).resolves({ Attributes: repairingRecord({ status: 'READY' }) });
  documentMock.on(GetCommand).resolves({ Item: repairingRecord() });
  eventsMock
    .on(PutEventsCommand)
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  givenHealthyAws();
});

describe('beginRepair', () => {
  it('reads the recorded resources the provisioning steps need', async () => {
    // Act
    const state = await beginRepair(STATE, dependencies());

    // Assess
    expect(state).toEqual({
      fileSystem: { fileSystemId: 'fs-1', shared: false },
      securityGroup: { securityGroupId: 'sg-1' },
      accessPoint: { accessPointId: 'fsap-1' },
      // No verifyMount in the execution's input: the repair does not verify the mount
      verifyMount: false,
    });
  });

  it('refuses, touching nothing, when the access point is gone', async () => {
    // Prepare
    efsMock
      .on(DescribeAccessPointsCommand)
      .rejects(Object.assign(new Error('no such access point'), { name: 'AccessPointNotFound' }));

    // Act / Assess
    await expect(beginRepair(STATE, dependencies())).rejects.toMatchObject({
      name: 'RepairRefusedError',
      message: expect.stringContaining('access point fsap-1 no longer exists'),
    });
    expect(statusUpdates()).toEqual([]);
    expect(efsMock.commandCalls(DeleteMountTargetCommand)).toEqual([]);
  });

  it('refuses when the file system is gone: its data is gone, and it is never replaced', async () => {
    // Prepare
    efsMock
      .on(DescribeFileSystemsCommand)
      .rejects(Object.assign(new Error('no such file system'), { name: 'FileSystemNotFound' }));

    // Act / Assess
    await expect(beginRepair(STATE, dependencies())).rejects.toMatchObject({
      name: 'RepairRefusedError',
      message: expect.stringContaining('its data is gone'),
    });
  });

  it('refuses to run for an execution the record does not name', async () => {
    // Prepare
    documentMock.on(GetCommand).resolves({
      Item: repairingRecord({ repairExecutionName: `${VOLUME_ID}-repair-other` }),
    });

    // Act / Assess
    await expect(beginRepair(STATE, dependencies())).rejects.toMatchObject({
      name: 'VolumeRecordStateError',
    });
  });
});

describe('completeRepair', () => {
  it('records the volume READY and HEALTHY, the repair SUCCEEDED, and announces Volume Repaired', async () => {
    // Act
    const result = await completeRepair(STATE, dependencies());

    // Assess
    expect(result).toEqual({ status: 'READY', health: 'HEALTHY' });
    const [ended] = repairEnds();
    expect(ended?.ConditionExpression).toContain('repairExecutionName = :execution');
    expect(ended?.ExpressionAttributeValues).toMatchObject({
      ':ready': 'READY',
      ':outcome': 'SUCCEEDED',
      ':execution': EXECUTION,
      ':health': { state: 'HEALTHY', findings: [] },
    });
    const [event] = eventsMock.commandCalls(PutEventsCommand);
    expect(event?.args[0].input.Entries?.[0]?.DetailType).toBe('Volume Repaired');
  });

  it('records the repair FAILED with the findings when the volume is still drifted', async () => {
    // Prepare: the claim is gone again
    const objects = { ...HEALTHY_OBJECTS };
    delete objects['/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data'];

    // Act
    const result = await completeRepair(STATE, dependencies(objects));

    // Assess
    expect(result.health).toBe('DRIFTED');
    const [ended] = repairEnds();
    expect(ended?.ExpressionAttributeValues).toMatchObject({
      ':outcome': 'FAILED',
      ':error': expect.objectContaining({ name: 'VolumeStillDrifted' }),
    });
    const [event] = eventsMock.commandCalls(PutEventsCommand);
    expect(event?.args[0].input.Entries?.[0]?.DetailType).toBe('Volume Repair Failed');
  });
});

describe('recordRepairFailure', () => {
  it('records READY, the failure and the health, and deletes nothing', async () => {
    // Prepare
    const state: StepState = {
      ...STATE,
      failedStep: 'CreateMountTargets',
      failure: { Error: 'MountTargetFailedError', Cause: 'no mount target in us-east-1c' },
    };

    // Act
    const outcome = await recordRepairFailure(state, dependencies());

    // Assess
    expect(outcome.recorded).toBe(true);
    const [ended] = repairEnds();
    expect(ended?.ExpressionAttributeValues).toMatchObject({
      ':ready': 'READY',
      ':outcome': 'FAILED',
      ':error': {
        step: 'CreateMountTargets',
        name: 'MountTargetFailedError',
        message: 'no mount target in us-east-1c',
      },
    });
    expect(efsMock.commandCalls(DeleteMountTargetCommand)).toEqual([]);
    expect(efsMock.commandCalls(DeleteAccessPointCommand)).toEqual([]);
    expect(efsMock.commandCalls(DeleteFileSystemCommand)).toEqual([]);
  });

  it('records DRIFTED with the findings it had when the check cannot look', async () => {
    // Prepare
    eksMock
      .on(DescribeClusterCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const findings = [
      { resource: 'MountTarget' as const, id: 'us-east-1b', problem: 'gone', repairable: true },
    ];
    documentMock.on(GetCommand).resolves({
      Item: repairingRecord({
        health: { state: 'DRIFTED', checkedAt: '2026-11-29T07:55:00.000Z', findings },
      }),
    });

    // Act
    await recordRepairFailure({ ...STATE, failedStep: 'ApplyManifests' }, dependencies());

    // Assess
    const [ended] = repairEnds();
    expect(ended?.ExpressionAttributeValues?.[':health']).toEqual({
      state: 'DRIFTED',
      checkedAt: '2026-11-29T07:55:00.000Z',
      findings,
    });
  });

  it('leaves alone a volume that another execution repairs, or that is no longer repaired', async () => {
    // Prepare
    documentMock.on(GetCommand).resolves({ Item: repairingRecord({ status: 'READY' }) });

    // Act
    const outcome = await recordRepairFailure(STATE, dependencies());

    // Assess
    expect(outcome).toEqual({ status: 'READY', recorded: false });
    expect(documentMock.commandCalls(UpdateCommand)).toEqual([]);
    expect(eventsMock.commandCalls(PutEventsCommand)).toEqual([]);
  });
});
