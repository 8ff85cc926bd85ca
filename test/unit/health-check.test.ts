import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  FileSystemNotFound,
  type MountTargetDescription,
  PolicyNotFound,
} from '@aws-sdk/client-efs';
import {
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListFargateProfilesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { accessPointOnlyPolicy } from '../../functions/lib/aws/file-system-policy.ts';
import {
  checkVolumeHealth,
  type HealthCheckDependencies,
} from '../../functions/lib/health/check.ts';
import type { VolumeRecord } from '../../functions/lib/volume/record.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const eksMock = mockClient(EKSClient);
const ec2Mock = mockClient(EC2Client);
const efsMock = mockClient(EFSClient);

const PV = `efs-${VOLUME_ID}`;
const HANDLE = 'fs-1::fsap-1';
const CHECKED_AT = new Date('2026-11-29T08:00:00.000Z');
const FILE_SYSTEM_ARN = 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1';

const record: VolumeRecord = {
  recordType: 'volume',
  id: VOLUME_ID,
  status: 'READY',
  clusterName: 'demo',
  namespace: 'team-a',
  name: 'shared-data',
  createdAt: '2026-11-29T07:00:00.000Z',
  updatedAt: '2026-11-29T07:01:00.000Z',
  spec: volumeSpec(),
  steps: {},
  resources: {
    fileSystemId: 'fs-1',
    mountTargetIds: ['fsmt-a', 'fsmt-b'],
    accessPointId: 'fsap-1',
    persistentVolumeName: PV,
    persistentVolumeClaim: { namespace: 'team-a', name: 'shared-data' },
  },
};

function mountTarget(id: string, zone: string, state = 'available'): MountTargetDescription {
  return {
    MountTargetId: id,
    FileSystemId: 'fs-1',
    SubnetId: `subnet-${zone.slice(-1)}`,
    AvailabilityZoneName: zone,
    LifeCycleState: state as MountTargetDescription['LifeCycleState'],
    OwnerId: '123456789012',
  };
}

/** The Kubernetes objects the fake reader serves, by API path. */
function kubernetesObjects(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [`/api/v1/persistentvolumes/${PV}`]: {
      spec: {
        csi: { volumeHandle: HANDLE },
        claimRef: { namespace: 'team-a', name: 'shared-data' },
      },
      status: { phase: 'Bound' },
    },
    '/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data': {
      spec: { volumeName: PV },
      status: { phase: 'Bound' },
    },
    ...overrides,
  };
}

function dependencies(objects: Record<string, unknown> = kubernetesObjects()) {
  const reads: string[] = [];
  const deps: HealthCheckDependencies = {
    eks: new EKSClient({}),
    ec2: new EC2Client({}),
    efs: new EFSClient({}),
    kubernetes: async () => ({
      readObject: async <T>(path: string) => {
        reads.push(path);
        return objects[path] as T | undefined;
      },
    }),
    now: () => CHECKED_AT,
  };
  return { deps, reads };
}

/** A healthy volume's AWS side: cluster in two zones, file system, two mount targets, access point. */
function givenHealthyAws(
  targets = [mountTarget('fsmt-a', 'us-east-1a'), mountTarget('fsmt-b', 'us-east-1b')],
) {
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
        NumberOfMountTargets: targets.length,
        SizeInBytes: { Value: 0 },
        PerformanceMode: 'generalPurpose',
        FileSystemArn: FILE_SYSTEM_ARN,
        Tags: [{ Key: 'efs-volumes:stack', Value: 'EfsVolumes' }],
      },
    ],
  });
  efsMock.on(DescribeFileSystemPolicyCommand).resolves({
    FileSystemId: 'fs-1',
    Policy: JSON.stringify(accessPointOnlyPolicy(FILE_SYSTEM_ARN)),
  });
  efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: targets });
  efsMock.on(DescribeAccessPointsCommand).resolves({
    AccessPoints: [{ AccessPointId: 'fsap-1', FileSystemId: 'fs-1', LifeCycleState: 'available' }],
  });
}

beforeEach(() => {
  eksMock.reset();
  ec2Mock.reset();
  efsMock.reset();
});

describe('checkVolumeHealth', () => {
  it('finds a volume HEALTHY when every resource is there, available and bound', async () => {
    // Prepare
    givenHealthyAws();
    const { deps } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health).toEqual({ state: 'HEALTHY', checkedAt: CHECKED_AT.toISOString(), findings: [] });
  });

  it('reports a file system that lost its policy, or whose policy was changed, as repairable drift', async () => {
    // Prepare
    givenHealthyAws();
    efsMock
      .on(DescribeFileSystemPolicyCommand)
      .rejectsOnce(new PolicyNotFound({ message: 'none', $metadata: {} }))
      .resolves({
        FileSystemId: 'fs-1',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      });
    const { deps } = dependencies();

    // Act
    const [missing, changed] = [
      await checkVolumeHealth(deps, record),
      await checkVolumeHealth(deps, record),
    ];

    // Assess
    for (const health of [missing, changed]) {
      expect(health.state).toBe('DRIFTED');
      expect(health.findings).toEqual([
        expect.objectContaining({ resource: 'FileSystemPolicy', id: 'fs-1', repairable: true }),
      ]);
    }
    expect(missing.findings[0]?.problem).toMatch(/no file system policy/);
  });

  it('reads a policy EFS returns with its keys in another order as the same policy', async () => {
    // Prepare
    givenHealthyAws();
    const reordered = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reordered)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, inner]) => [key, reordered(inner)]),
            )
          : value;
    efsMock.on(DescribeFileSystemPolicyCommand).resolves({
      FileSystemId: 'fs-1',
      Policy: JSON.stringify(reordered(accessPointOnlyPolicy(FILE_SYSTEM_ARN))),
    });
    const { deps } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('HEALTHY');
  });

  it('reports a deleted claim and a deleted mount target as two repairable findings', async () => {
    // Prepare: the PV is Released by its claim's deletion, which is no finding of its own
    givenHealthyAws([mountTarget('fsmt-a', 'us-east-1a')]);
    const objects = kubernetesObjects({
      '/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data': undefined,
      [`/api/v1/persistentvolumes/${PV}`]: {
        spec: {
          csi: { volumeHandle: HANDLE },
          claimRef: { namespace: 'team-a', name: 'shared-data' },
        },
        status: { phase: 'Released' },
      },
    });
    const { deps } = dependencies(objects);

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      {
        resource: 'MountTarget',
        id: 'us-east-1b',
        problem: expect.stringContaining('fsmt-b no longer exists'),
        repairable: true,
      },
      {
        resource: 'PersistentVolumeClaim',
        id: 'team-a/shared-data',
        problem: 'PersistentVolumeClaim team-a/shared-data no longer exists',
        repairable: true,
      },
    ]);
  });

  it('reports a claim deleted with its PersistentVolume (reclaimPolicy Delete) as one finding', async () => {
    // Prepare
    givenHealthyAws();
    const objects = kubernetesObjects({
      '/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data': undefined,
      [`/api/v1/persistentvolumes/${PV}`]: undefined,
    });
    const { deps } = dependencies(objects);

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      {
        resource: 'PersistentVolumeClaim',
        id: 'team-a/shared-data',
        problem: `PersistentVolumeClaim team-a/shared-data no longer exists, nor its PersistentVolume ${PV}`,
        repairable: true,
      },
    ]);
  });

  it('reports a deleted PersistentVolume whose claim is still there', async () => {
    // Prepare
    givenHealthyAws();
    const { deps } = dependencies(
      kubernetesObjects({ [`/api/v1/persistentvolumes/${PV}`]: undefined }),
    );

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      expect.objectContaining({ resource: 'PersistentVolume', id: PV, repairable: true }),
    ]);
  });

  it.each([
    ['creating', true, 'repair waits for it'],
    ['updating', true, 'repair waits for it'],
    ['deleting', false, 'check again once it is gone'],
    ['error', false, 'aws efs delete-mount-target --mount-target-id fsmt-b'],
  ])(
    'names a mount target that is %s, repairable only if repair can finish it (%s)',
    async (state, repairable, advice) => {
      // Prepare: repair adds mount targets only in zones without one, and never deletes
      givenHealthyAws([
        mountTarget('fsmt-a', 'us-east-1a'),
        mountTarget('fsmt-b', 'us-east-1b', state),
      ]);
      const { deps } = dependencies();

      // Act
      const health = await checkVolumeHealth(deps, record);

      // Assess
      expect(health.state).toBe('DRIFTED');
      expect(health.findings).toEqual([
        expect.objectContaining({ resource: 'MountTarget', id: 'fsmt-b', repairable }),
      ]);
      expect(health.findings[0]?.problem).toContain(`is ${state}, not available`);
      expect(health.findings[0]?.problem).toContain(advice);
    },
  );

  it('requires a mount target in a zone only a Fargate profile selecting the namespace reaches, and says repair cannot add it', async () => {
    // Prepare
    givenHealthyAws();
    eksMock.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: ['teams'] });
    eksMock.on(DescribeFargateProfileCommand).resolves({
      fargateProfile: {
        status: 'ACTIVE',
        selectors: [{ namespace: 'team-*' }],
        subnets: ['subnet-c'],
      },
    });
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' },
        { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' },
        { SubnetId: 'subnet-c', AvailabilityZone: 'us-east-1c' },
      ],
    });
    const { deps } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      expect.objectContaining({ resource: 'MountTarget', id: 'us-east-1c', repairable: false }),
    ]);
  });

  it('reports a deleted file system once, as not repairable because its data is gone', async () => {
    // Prepare
    givenHealthyAws();
    efsMock
      .on(DescribeFileSystemsCommand)
      .rejects(
        new FileSystemNotFound({ message: 'gone', $metadata: {}, ErrorCode: 'FileSystemNotFound' }),
      );
    const { deps } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      {
        resource: 'FileSystem',
        id: 'fs-1',
        problem: 'file system fs-1 no longer exists: its data is gone',
        repairable: false,
      },
    ]);
  });

  it('reports a deleted access point as not repairable', async () => {
    // Prepare
    givenHealthyAws();
    // The file system's access points, listed, no longer hold it.
    efsMock
      .on(DescribeAccessPointsCommand, { FileSystemId: 'fs-1' })
      .resolves({ AccessPoints: [] });
    const { deps } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      expect.objectContaining({ resource: 'AccessPoint', id: 'fsap-1', repairable: false }),
    ]);
    expect(health.findings[0]?.problem).toContain('data is gone');
  });

  it('reports a PersistentVolume with another volumeHandle as not repairable by apply (spec.csi is immutable), and a claim bound elsewhere', async () => {
    // Prepare
    givenHealthyAws();
    const objects = kubernetesObjects({
      [`/api/v1/persistentvolumes/${PV}`]: {
        spec: {
          csi: { volumeHandle: 'fs-9::fsap-9' },
          claimRef: { namespace: 'team-a', name: 'shared-data' },
        },
        status: { phase: 'Bound' },
      },
      '/api/v1/namespaces/team-a/persistentvolumeclaims/shared-data': {
        spec: { volumeName: 'someone-else' },
        status: { phase: 'Bound' },
      },
    });
    const { deps } = dependencies(objects);

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings.map((finding) => [finding.resource, finding.repairable])).toEqual([
      ['PersistentVolume', false],
      ['PersistentVolumeClaim', true],
    ]);
    expect(health.findings[0]?.problem).toContain('fs-9::fsap-9');
    expect(health.findings[0]?.problem).toContain(
      `delete PersistentVolume ${PV}, then repair the volume`,
    );
    expect(health.findings[1]?.problem).toContain('on someone-else');
  });

  it('reports a deleted cluster without reading Kubernetes or mount targets', async () => {
    // Prepare
    givenHealthyAws();
    eksMock
      .on(DescribeClusterCommand)
      .rejects(new ResourceNotFoundException({ message: 'no cluster', $metadata: {} }));
    const { deps, reads } = dependencies();

    // Act
    const health = await checkVolumeHealth(deps, record);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      expect.objectContaining({ resource: 'Cluster', id: 'demo', repairable: false }),
    ]);
    expect(reads).toEqual([]);
    expect(efsMock.commandCalls(DescribeMountTargetsCommand)).toHaveLength(0);
  });

  it('throws rather than report drift when it cannot look', async () => {
    // Prepare
    givenHealthyAws();
    efsMock
      .on(DescribeMountTargetsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const { deps } = dependencies();

    // Act
    const checked = checkVolumeHealth(deps, record);

    // Assess
    await expect(checked).rejects.toThrow('slow down');
  });

  it('reports a missing mount target on a shared file system as not repairable, for its owner to add', async () => {
    // Prepare
    givenHealthyAws([mountTarget('fsmt-a', 'us-east-1a')]);
    const { deps } = dependencies();
    const shared: VolumeRecord = { ...record, spec: volumeSpec({ fileSystemId: 'fs-1' }) };

    // Act
    const health = await checkVolumeHealth(deps, shared);

    // Assess
    expect(health.state).toBe('DRIFTED');
    expect(health.findings).toEqual([
      {
        resource: 'MountTarget',
        id: 'us-east-1b',
        problem: expect.stringContaining('fs-1 is shared'),
        repairable: false,
      },
    ]);
    expect(health.findings[0]?.problem).toContain('its owner must add one in us-east-1b');
  });
});
