import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient, ListFargateProfilesCommand } from '@aws-sdk/client-eks';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubernetesReader } from '../../functions/lib/kube/read-client.ts';
import { NO_METRICS } from '../../functions/lib/metrics.ts';
import { ProblemError } from '../../functions/lib/problems/problem.ts';
import type { VolumeServiceDependencies } from '../../functions/lib/service/create-volume.ts';
import { deleteVolume } from '../../functions/lib/service/delete-volume.ts';
import { repairVolume } from '../../functions/lib/service/repair-volume.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const documentMock = mockClient(DynamoDBDocumentClient);
const sfnMock = mockClient(SFNClient);
const efsMock = mockClient(EFSClient);
const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const CALLER = 'arn:aws:iam::123456789012:role/team-a';
const PV = `efs-${VOLUME_ID}`;

function volumeRecord(overrides: Partial<VolumeRecord> = {}): VolumeRecord {
  const spec = volumeSpec();
  return {
    recordType: 'volume',
    id: VOLUME_ID,
    status: 'READY',
    spec,
    clusterName: spec.clusterName,
    namespace: spec.namespace,
    name: spec.name,
    caller: 'arn:aws:iam::123456789012:role/someone-else',
    createdAt: '2026-11-29T07:00:00.000Z',
    updatedAt: '2026-11-29T07:01:00.000Z',
    steps: {},
    resources: {
      fileSystemId: 'fs-1',
      mountTargetIds: ['fsmt-a'],
      accessPointId: 'fsap-1',
      persistentVolumeName: PV,
      persistentVolumeClaim: { namespace: 'team-a', name: 'shared-data' },
    },
    ...overrides,
  };
}

/** A reader that serves a healthy PersistentVolume and claim. */
const healthyCluster = {
  readObject: async (path: string) =>
    path.endsWith(`/persistentvolumes/${PV}`)
      ? {
          spec: {
            csi: { volumeHandle: 'fs-1::fsap-1' },
            claimRef: { namespace: 'team-a', name: 'shared-data' },
          },
          status: { phase: 'Bound' },
        }
      : { spec: { volumeName: PV }, status: { phase: 'Bound' } },
} as unknown as KubernetesReader;

function dependencies(): VolumeServiceDependencies {
  return {
    metrics: NO_METRICS,
    records: new VolumeRecordStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
      'volumes',
    ),
    policy: {
      rules: [
        {
          caller: 'arn:aws:iam::123456789012:role/team-a',
          cluster: 'demo',
          namespaces: ['team-a'],
        },
      ],
    },
    sfn: new SFNClient({}),
    eks: new EKSClient({}),
    ec2: new EC2Client({}),
    efs: new EFSClient({}),
    kubernetes: async () => healthyCluster,
    settings: {
      allowRootPosixUser: false,
      provisionStateMachineArn: 'arn:provision',
      deprovisionStateMachineArn: 'arn:deprovision',
      repairStateMachineArn: 'arn:repair',
    },
  };
}

/** What the API answers: the volume, or the problem it throws. */
async function answer(work: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 202, body: await work };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { status: error.status, body: error.toDocument() };
  }
}

beforeEach(() => {
  for (const mock of [documentMock, sfnMock, efsMock, eksMock, ec2Mock]) mock.reset();
  documentMock.on(GetCommand).resolves({ Item: volumeRecord() });
  documentMock.on(UpdateCommand).resolves({ Attributes: volumeRecord({ status: 'REPAIRING' }) });
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution' });
  eksMock.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'demo',
      status: 'ACTIVE',
      endpoint: 'https://demo.example',
      certificateAuthority: { data: 'Q0E=' },
      resourcesVpcConfig: { subnetIds: ['subnet-a'], vpcId: 'vpc-1' },
    },
  });
  eksMock.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', VpcId: 'vpc-1' }],
  });
  efsMock.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      {
        FileSystemId: 'fs-1',
        LifeCycleState: 'available',
        CreationToken: VOLUME_ID,
        OwnerId: '123456789012',
        CreationTime: new Date(),
        NumberOfMountTargets: 1,
        SizeInBytes: { Value: 0 },
        PerformanceMode: 'generalPurpose',
        Tags: [],
      },
    ],
  });
  efsMock.on(DescribeMountTargetsCommand).resolves({
    MountTargets: [
      {
        MountTargetId: 'fsmt-a',
        FileSystemId: 'fs-1',
        SubnetId: 'subnet-a',
        AvailabilityZoneName: 'us-east-1a',
        LifeCycleState: 'available',
        OwnerId: '123456789012',
      },
    ],
  });
  efsMock.on(DescribeAccessPointsCommand).resolves({
    AccessPoints: [{ AccessPointId: 'fsap-1', FileSystemId: 'fs-1', LifeCycleState: 'available' }],
  });
});

describe('repairVolume', () => {
  it('moves a READY volume to REPAIRING and starts the repair workflow, for any caller of the namespace', async () => {
    // Act
    const result = await answer(repairVolume(dependencies(), VOLUME_ID, { caller: CALLER }));

    // Assess: the caller is not the owner, and may still repair
    expect(result.status).toBe(202);
    expect(result.body).toMatchObject({ status: 'REPAIRING' });
    const [start] = sfnMock.commandCalls(StartExecutionCommand);
    expect(start?.args[0].input.stateMachineArn).toBe('arn:repair');
    // Ids only: the steps read the record, which names this execution.
    expect(JSON.parse(start?.args[0].input.input ?? '{}')).toEqual({
      volumeId: VOLUME_ID,
      operation: 'repair',
    });
    expect(start?.args[0].input.name).toMatch(new RegExp(`^${VOLUME_ID}-repair-`));
  });

  it('records the health the repair was decided on with REPAIRING, so a stopped repair leaves it', async () => {
    // Act
    await answer(repairVolume(dependencies(), VOLUME_ID, { caller: CALLER }));

    // Assess: one conditional update sets REPAIRING and the health the check found just now
    const [update] = documentMock.commandCalls(UpdateCommand);
    const input = update?.args[0].input;
    expect(input?.UpdateExpression).toContain('#health = :health');
    expect(input?.ExpressionAttributeValues?.[':repairing']).toBe('REPAIRING');
    expect(input?.ExpressionAttributeValues?.[':health']).toMatchObject({
      state: expect.stringMatching(/^(HEALTHY|DRIFTED)$/),
      checkedAt: expect.any(String),
      findings: expect.any(Array),
    });
  });

  it('refuses with 422 and the findings when the access point is gone, and starts nothing', async () => {
    // Prepare
    // The file system's access points, listed, no longer hold it.
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });

    // Act
    const result = await answer(repairVolume(dependencies(), VOLUME_ID, { caller: CALLER }));

    // Assess
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({
      type: 'https://efs-volumes.dev/problems/volume-not-repairable',
      findings: [{ resource: 'AccessPoint', id: 'fsap-1', repairable: false }],
    });
    expect(documentMock.commandCalls(UpdateCommand)).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it.each(['REPAIRING', 'PROVISIONING', 'DELETING'] as const)(
    'answers 409 for a %s volume',
    async (status) => {
      // Prepare
      documentMock.on(GetCommand).resolves({ Item: volumeRecord({ status }) });

      // Act
      const result = await answer(repairVolume(dependencies(), VOLUME_ID, { caller: CALLER }));

      // Assess
      expect(result).toMatchObject({
        status: 409,
        body: { type: 'https://efs-volumes.dev/problems/volume-busy' },
      });
      expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);
    },
  );

  it('answers 404 to a caller the namespace does not admit', async () => {
    // Act
    const result = await answer(
      repairVolume(dependencies(), VOLUME_ID, {
        caller: 'arn:aws:iam::123456789012:role/team-b',
      }),
    );

    // Assess
    expect(result.status).toBe(404);
  });

  it('puts the volume back to READY with a FAILED repair when the workflow cannot start', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(new Error('state machine missing'));

    // Act
    await expect(repairVolume(dependencies(), VOLUME_ID, { caller: CALLER })).rejects.toThrow();

    // Assess
    const ended = documentMock
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.ExpressionAttributeValues?.[':outcome'] === 'FAILED');
    expect(ended?.ExpressionAttributeValues).toMatchObject({
      ':ready': 'READY',
      ':error': { step: 'StartRepair' },
    });
  });
});

describe('deleteVolume while a repair runs', () => {
  it('answers 409 volume-busy', async () => {
    // Prepare
    documentMock.on(GetCommand).resolves({
      Item: volumeRecord({ status: 'REPAIRING', caller: CALLER }),
    });

    // Act
    const result = await answer(
      deleteVolume(dependencies(), VOLUME_ID, { caller: CALLER, force: true }),
    );

    // Assess
    expect(result).toMatchObject({
      status: 409,
      body: { type: 'https://efs-volumes.dev/problems/volume-busy' },
    });
  });
});
