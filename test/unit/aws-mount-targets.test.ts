import {
  CreateMountTargetCommand,
  DeleteMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  FileSystemNotFound,
  IncorrectMountTargetState,
  MountTargetConflict,
  type MountTargetDescription,
  MountTargetNotFound,
  SecurityGroupNotFound,
  SubnetNotFound,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { subnetPerZone } from '../../functions/lib/aws/cluster.ts';
import {
  ensureMountTargets,
  listMountTargets,
  mountTargetsGone,
  readMountTargets,
  startDeletingMountTargets,
} from '../../functions/lib/aws/mount-targets.ts';
import {
  FileSystemNotReadyError,
  MountTargetFailedError,
  TransientError,
} from '../../functions/lib/errors.ts';
import { clusterTarget, subnet } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });

/** EFS's answer to DescribeMountTargetSecurityGroups on a mount target being deleted. */
const deletingState = () =>
  new IncorrectMountTargetState({
    message: 'mount target is deleting',
    $metadata: { httpStatusCode: 409 },
    ErrorCode: 'IncorrectMountTargetState',
  });

/** A mount target as DescribeMountTargets describes it. */
function mountTarget(
  id: string,
  zone: string,
  state: MountTargetDescription['LifeCycleState'] = 'available',
) {
  return {
    MountTargetId: id,
    FileSystemId: 'fs-1',
    SubnetId: `subnet-${zone}`,
    LifeCycleState: state,
    AvailabilityZoneName: zone,
  } satisfies MountTargetDescription;
}

function fileSystemIs(state: 'available' | 'creating'): void {
  efsMock.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      {
        OwnerId: '123456789012',
        CreationToken: 'token',
        FileSystemId: 'fs-1',
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        LifeCycleState: state,
        NumberOfMountTargets: 0,
        SizeInBytes: { Value: 0 },
        PerformanceMode: 'generalPurpose',
        Tags: [],
      },
    ],
  });
}

const twoZones = clusterTarget({
  subnets: [
    subnet('subnet-b2', 'us-east-1b'),
    subnet('subnet-a1', 'us-east-1a'),
    subnet('subnet-b1', 'us-east-1b'),
  ],
});

beforeEach(() => {
  efsMock.reset();
});

describe('subnetPerZone', () => {
  it('picks the lowest subnet id of each zone, ordered by zone', () => {
    // Act
    const chosen = subnetPerZone(twoZones);

    // Assess
    expect(chosen.map((choice) => choice.subnetId)).toEqual(['subnet-a1', 'subnet-b1']);
    expect(chosen.map((choice) => choice.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('chooses the same subnets whatever order EKS lists them in', () => {
    // Prepare
    const subnets = [
      subnet('subnet-0c', 'us-east-1c'),
      subnet('subnet-0a', 'us-east-1a'),
      subnet('subnet-1a', 'us-east-1a'),
      subnet('subnet-0b', 'us-east-1b'),
      subnet('subnet-1b', 'us-east-1b'),
      subnet('subnet-2c', 'us-east-1c'),
    ];
    const expected = ['subnet-0a', 'subnet-0b', 'subnet-0c'];

    // Act and Assess
    fc.assert(
      fc.property(fc.shuffledSubarray(subnets, { minLength: subnets.length }), (shuffled) => {
        const chosen = subnetPerZone(clusterTarget({ subnets: shuffled }));
        expect(chosen.map((choice) => choice.subnetId)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('does not reorder the cluster it is given', () => {
    // Prepare
    const before = twoZones.subnets.map((choice) => choice.subnetId);

    // Act
    subnetPerZone(twoZones);

    // Assess
    expect(twoZones.subnets.map((choice) => choice.subnetId)).toEqual(before);
  });
});

describe('listMountTargets', () => {
  it('gives none for a file system that is gone', async () => {
    // Prepare
    efsMock
      .on(DescribeMountTargetsCommand)
      .rejects(
        new FileSystemNotFound({ message: 'gone', $metadata: {}, ErrorCode: 'FileSystemNotFound' }),
      );

    // Act
    const targets = await listMountTargets(efs, 'fs-1');

    // Assess
    expect(targets).toEqual([]);
  });
});

describe('ensureMountTargets', () => {
  it('waits for the file system before creating anything', async () => {
    // Prepare
    fileSystemIs('creating');

    // Act
    const outcome = ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(FileSystemNotReadyError);
    expect(efsMock.commandCalls(CreateMountTargetCommand)).toHaveLength(0);
  });

  it('creates one mount target per zone with the volume security group', async () => {
    // Prepare
    fileSystemIs('available');
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [] })
      .resolves({
        MountTargets: [
          mountTarget('fsmt-a', 'us-east-1a', 'creating'),
          mountTarget('fsmt-b', 'us-east-1b', 'creating'),
        ],
      });
    efsMock
      .on(CreateMountTargetCommand, { SubnetId: 'subnet-a1' })
      .resolves(mountTarget('fsmt-a', 'us-east-1a'));
    efsMock
      .on(CreateMountTargetCommand, { SubnetId: 'subnet-b1' })
      .resolves(mountTarget('fsmt-b', 'us-east-1b'));
    efsMock.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ['sg-vol'] });

    // Act
    const result = await ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    expect(
      efsMock.commandCalls(CreateMountTargetCommand).map((call) => call.args[0].input),
    ).toEqual([
      { FileSystemId: 'fs-1', SubnetId: 'subnet-a1', SecurityGroups: ['sg-vol'] },
      { FileSystemId: 'fs-1', SubnetId: 'subnet-b1', SecurityGroups: ['sg-vol'] },
    ]);
    expect(result).toEqual({
      mountTargetIds: ['fsmt-a', 'fsmt-b'],
      createdMountTargetIds: ['fsmt-a', 'fsmt-b'],
      createdNow: ['fsmt-a', 'fsmt-b'],
    });
  });

  it('leaves a zone that already has a mount target alone, and does not claim it', async () => {
    // Prepare
    fileSystemIs('available');
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [mountTarget('fsmt-old', 'us-east-1a')] })
      .resolves({
        MountTargets: [mountTarget('fsmt-old', 'us-east-1a'), mountTarget('fsmt-b', 'us-east-1b')],
      });
    efsMock.on(CreateMountTargetCommand).resolves(mountTarget('fsmt-b', 'us-east-1b'));
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-old' })
      .resolves({ SecurityGroups: ['sg-other'] });
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-b' })
      .resolves({ SecurityGroups: ['sg-vol'] });

    // Act
    const result = await ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    expect(
      efsMock.commandCalls(CreateMountTargetCommand).map((call) => call.args[0].input.SubnetId),
    ).toEqual(['subnet-b1']);
    expect(result).toEqual({
      mountTargetIds: ['fsmt-old', 'fsmt-b'],
      createdMountTargetIds: ['fsmt-b'],
      createdNow: ['fsmt-b'],
    });
  });

  it('does not claim a mount target that is deleting, whose security groups EFS will not tell', async () => {
    // Prepare: the zone's mount target answers 409 IncorrectMountTargetState
    fileSystemIs('available');
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [mountTarget('fsmt-going', 'us-east-1a', 'deleting')] })
      .resolves({
        MountTargets: [
          mountTarget('fsmt-going', 'us-east-1a', 'deleting'),
          mountTarget('fsmt-b', 'us-east-1b'),
        ],
      });
    efsMock.on(CreateMountTargetCommand).resolves(mountTarget('fsmt-b', 'us-east-1b'));
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-going' })
      .rejects(deletingState());

    // Act
    const result = await ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    expect(result).toEqual({
      mountTargetIds: ['fsmt-going', 'fsmt-b'],
      createdMountTargetIds: ['fsmt-b'],
      createdNow: ['fsmt-b'],
    });
  });

  it('takes a MountTargetConflict as a concurrent attempt having created it', async () => {
    // Prepare
    fileSystemIs('available');
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [] })
      .resolves({
        MountTargets: [mountTarget('fsmt-a', 'us-east-1a'), mountTarget('fsmt-b', 'us-east-1b')],
      });
    efsMock.on(CreateMountTargetCommand).rejects(
      new MountTargetConflict({
        message: 'exists',
        $metadata: {},
        ErrorCode: 'MountTargetConflict',
      }),
    );
    efsMock.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ['sg-vol'] });

    // Act
    const result = await ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    expect(efsMock.commandCalls(CreateMountTargetCommand)).toHaveLength(2);
    expect(result).toEqual({
      mountTargetIds: ['fsmt-a', 'fsmt-b'],
      createdMountTargetIds: ['fsmt-a', 'fsmt-b'],
      createdNow: [],
    });
  });

  it('passes on other errors from creating a mount target', async () => {
    // Prepare
    fileSystemIs('available');
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
    efsMock
      .on(CreateMountTargetCommand)
      .rejects(
        new SubnetNotFound({ message: 'no subnet', $metadata: {}, ErrorCode: 'SubnetNotFound' }),
      );

    // Act
    const outcome = ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(SubnetNotFound);
  });

  it('retries when EFS does not know the volume security group yet (eventual consistency)', async () => {
    // Prepare: the group was created by the step before; EC2 may not have told EFS yet
    fileSystemIs('available');
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
    const notFound = new SecurityGroupNotFound({
      message: 'no such group',
      $metadata: { httpStatusCode: 400 },
      ErrorCode: 'SecurityGroupNotFound',
    });
    efsMock.on(CreateMountTargetCommand).rejects(notFound);

    // Act
    const outcome = ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
    await expect(outcome).rejects.toMatchObject({ cause: notFound });
  });

  it('leaves out mount targets in zones the cluster does not use', async () => {
    // Prepare
    fileSystemIs('available');
    const elsewhere = mountTarget('fsmt-c', 'us-east-1c');
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        mountTarget('fsmt-a', 'us-east-1a'),
        mountTarget('fsmt-b', 'us-east-1b'),
        elsewhere,
      ],
    });
    efsMock.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ['sg-vol'] });

    // Act
    const result = await ensureMountTargets(efs, 'fs-1', twoZones, 'sg-vol');

    // Assess
    expect(result.mountTargetIds).toEqual(['fsmt-a', 'fsmt-b']);
    expect(efsMock.commandCalls(CreateMountTargetCommand)).toHaveLength(0);
  });
});

describe('readMountTargets', () => {
  it('is ready when every mount target is available', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [mountTarget('fsmt-a', 'us-east-1a'), mountTarget('fsmt-b', 'us-east-1b')],
    });

    // Act
    const readiness = await readMountTargets(efs, 'fs-1', ['fsmt-a', 'fsmt-b']);

    // Assess
    expect(readiness).toEqual({
      ready: true,
      states: { 'fsmt-a': 'available', 'fsmt-b': 'available' },
    });
  });

  it('is not ready while one is still creating', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        mountTarget('fsmt-a', 'us-east-1a'),
        mountTarget('fsmt-b', 'us-east-1b', 'creating'),
      ],
    });

    // Act
    const readiness = await readMountTargets(efs, 'fs-1', ['fsmt-a', 'fsmt-b']);

    // Assess
    expect(readiness).toEqual({
      ready: false,
      states: { 'fsmt-a': 'available', 'fsmt-b': 'creating' },
    });
  });

  it.each(['error', 'deleting', 'deleted'] as const)(
    'fails for a mount target in state %s',
    async (state) => {
      // Prepare
      efsMock
        .on(DescribeMountTargetsCommand)
        .resolves({ MountTargets: [mountTarget('fsmt-a', 'us-east-1a', state)] });

      // Act
      const outcome = readMountTargets(efs, 'fs-1', ['fsmt-a']);

      // Assess
      await expect(outcome).rejects.toBeInstanceOf(MountTargetFailedError);
      await expect(outcome).rejects.toThrow(`mount target fsmt-a is ${state}`);
    },
  );

  it('fails for a mount target that has vanished', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });

    // Act
    const outcome = readMountTargets(efs, 'fs-1', ['fsmt-a']);

    // Assess
    await expect(outcome).rejects.toThrow('mount target fsmt-a is missing');
  });
});

describe('startDeletingMountTargets', () => {
  it('deletes every mount target of a file system the volume created', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [mountTarget('fsmt-a', 'us-east-1a'), mountTarget('fsmt-b', 'us-east-1b')],
    });
    efsMock.on(DeleteMountTargetCommand).resolves({});

    // Act
    const deleted = await startDeletingMountTargets(efs, 'fs-1', {
      shared: false,
      securityGroupId: 'sg-vol',
    });

    // Assess
    expect(deleted).toEqual(['fsmt-a', 'fsmt-b']);
    expect(
      efsMock.commandCalls(DeleteMountTargetCommand).map((call) => call.args[0].input),
    ).toEqual([{ MountTargetId: 'fsmt-a' }, { MountTargetId: 'fsmt-b' }]);
    expect(efsMock.commandCalls(DescribeMountTargetSecurityGroupsCommand)).toHaveLength(0);
  });

  it('deletes only the mount targets with the volume security group on a shared file system', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        mountTarget('fsmt-theirs', 'us-east-1a'),
        mountTarget('fsmt-ours', 'us-east-1b'),
      ],
    });
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-theirs' })
      .resolves({ SecurityGroups: ['sg-owner'] });
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-ours' })
      .resolves({ SecurityGroups: ['sg-vol'] });
    efsMock.on(DeleteMountTargetCommand).resolves({});

    // Act
    const deleted = await startDeletingMountTargets(efs, 'fs-shared', {
      shared: true,
      securityGroupId: 'sg-vol',
    });

    // Assess
    expect(deleted).toEqual(['fsmt-ours']);
    expect(
      efsMock.commandCalls(DeleteMountTargetCommand).map((call) => call.args[0].input),
    ).toEqual([{ MountTargetId: 'fsmt-ours' }]);
  });

  it('counts a deleting mount target on a shared file system among those to wait for, without deleting it again', async () => {
    // Prepare: an earlier attempt started deleting the volume's mount target, whose groups
    // EFS no longer tells (409 IncorrectMountTargetState)
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        mountTarget('fsmt-theirs', 'us-east-1a'),
        mountTarget('fsmt-going', 'us-east-1b', 'deleting'),
      ],
    });
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-theirs' })
      .resolves({ SecurityGroups: ['sg-owner'] });
    efsMock
      .on(DescribeMountTargetSecurityGroupsCommand, { MountTargetId: 'fsmt-going' })
      .rejects(deletingState());

    // Act
    const deleted = await startDeletingMountTargets(efs, 'fs-shared', {
      shared: true,
      securityGroupId: 'sg-vol',
    });

    // Assess
    expect(deleted).toEqual(['fsmt-going']);
    expect(efsMock.commandCalls(DeleteMountTargetCommand)).toEqual([]);
  });

  it('deletes nothing on a shared file system when the volume has no security group', async () => {
    // Prepare
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolves({ MountTargets: [mountTarget('fsmt-theirs', 'us-east-1a')] });

    // Act
    const deleted = await startDeletingMountTargets(efs, 'fs-shared', {
      shared: true,
      securityGroupId: undefined,
    });

    // Assess
    expect(deleted).toEqual([]);
    expect(efsMock.commandCalls(DeleteMountTargetCommand)).toHaveLength(0);
  });

  it('does not ask again for mount targets already deleting, and treats MountTargetNotFound as done', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        mountTarget('fsmt-a', 'us-east-1a', 'deleting'),
        mountTarget('fsmt-b', 'us-east-1b'),
      ],
    });
    efsMock.on(DeleteMountTargetCommand).rejects(
      new MountTargetNotFound({
        message: 'gone',
        $metadata: {},
        ErrorCode: 'MountTargetNotFound',
      }),
    );

    // Act
    const deleted = await startDeletingMountTargets(efs, 'fs-1', {
      shared: false,
      securityGroupId: undefined,
    });

    // Assess
    expect(deleted).toEqual(['fsmt-a', 'fsmt-b']);
    expect(
      efsMock.commandCalls(DeleteMountTargetCommand).map((call) => call.args[0].input),
    ).toEqual([{ MountTargetId: 'fsmt-b' }]);
  });
});

describe('mountTargetsGone', () => {
  it('is true only when none of the given mount targets remain', async () => {
    // Prepare
    efsMock
      .on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [mountTarget('fsmt-a', 'us-east-1a', 'deleting')] })
      .resolves({ MountTargets: [mountTarget('fsmt-other', 'us-east-1c')] });

    // Act
    const whileDeleting = await mountTargetsGone(efs, 'fs-1', ['fsmt-a']);
    const afterwards = await mountTargetsGone(efs, 'fs-1', ['fsmt-a']);

    // Assess
    expect(whileDeleting).toBe(false);
    expect(afterwards).toBe(true);
  });
});

describe('ensureMountTargets on a shared file system', () => {
  it('refuses to create mount targets in zones that have none, naming them', async () => {
    // Prepare: available, with a mount target in one of the cluster's zones only
    const cluster = clusterTarget();
    const [first] = cluster.subnets;
    efsMock
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ LifeCycleState: 'available' } as never] });
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        { MountTargetId: 'fsmt-1', AvailabilityZoneName: first?.availabilityZone } as never,
      ],
    });

    // Act / Assess
    await expect(
      ensureMountTargets(efs, 'fs-12345678', cluster, '', { shared: true }),
    ).rejects.toThrow(MountTargetFailedError);
    expect(efsMock.commandCalls(DescribeMountTargetsCommand)).toHaveLength(1);
  });
});
