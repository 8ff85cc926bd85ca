import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  type FileSystemDescription,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VolumeRecord, VolumeStatus } from '../../functions/lib/volume/record.ts';
import { decideFileSystemDisposal } from '../../functions/lib/workflow/file-system-disposal.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });
const FILE_SYSTEM = 'fs-0123456789abcdef0';
const CREATOR = 'vol-00000000000000000001';

function fileSystem(creator: string, extra: Record<string, string> = {}): FileSystemDescription {
  return {
    FileSystemId: FILE_SYSTEM,
    CreationToken: creator,
    LifeCycleState: 'available',
    Tags: Object.entries({
      'efs-volumes:stack': 'EfsVolumes',
      'efs-volumes:volume-id': creator,
      ...extra,
    }).map(([Key, Value]) => ({ Key, Value })),
  } as FileSystemDescription;
}

function accessPoint(id: string, volumeId: string, state = 'available') {
  return {
    AccessPointId: id,
    FileSystemId: FILE_SYSTEM,
    LifeCycleState: state,
    Tags: [{ Key: 'efs-volumes:volume-id', Value: volumeId }],
  } as const;
}

function records(status?: VolumeStatus) {
  return {
    get: async (id: string) =>
      status && id === CREATOR ? ({ id, status } as unknown as VolumeRecord) : undefined,
  };
}

/** The state of the volume being deleted: its file system is the recorded one. */
function stateOf(volumeId: string, shared = false): StepState {
  return {
    volumeId,
    operation: 'deprovision',
    spec: { ...volumeSpec(), ...(shared ? { fileSystemId: FILE_SYSTEM } : {}) },
    resources: { fileSystemId: FILE_SYSTEM },
  };
}

function given(description: FileSystemDescription | undefined, points: unknown[]) {
  efsMock
    .on(DescribeFileSystemsCommand)
    .resolves({ FileSystems: description ? [description] : [] })
    .on(DescribeAccessPointsCommand)
    .resolves({ AccessPoints: points as never });
}

beforeEach(() => {
  efsMock.reset();
});

describe('decideFileSystemDisposal', () => {
  it("keeps its own file system while another volume's access point is on it, naming that access point", async () => {
    // Prepare
    given(fileSystem(VOLUME_ID, { 'efs-volumes:reclaim-policy': 'Delete' }), [
      accessPoint('fsap-other', 'vol-other'),
    ]);

    // Act
    const disposal = await decideFileSystemDisposal(
      stateOf(VOLUME_ID),
      { efs, records: records() },
      false,
    );

    // Assess
    expect(disposal).toMatchObject({
      fileSystemId: FILE_SYSTEM,
      remove: false,
      creatorVolumeId: VOLUME_ID,
      otherAccessPointIds: ['fsap-other'],
    });
    expect(disposal.keptBecause).toContain('fsap-other');
  });

  it('ignores its own access point and those EFS is deleting', async () => {
    // Prepare
    given(fileSystem(VOLUME_ID), [
      accessPoint('fsap-mine', VOLUME_ID),
      accessPoint('fsap-going', 'vol-other', 'deleting'),
    ]);

    // Act
    const disposal = await decideFileSystemDisposal(
      stateOf(VOLUME_ID),
      { efs, records: records() },
      false,
    );

    // Assess
    expect(disposal).toMatchObject({ remove: true, creatorVolumeId: VOLUME_ID, keptBecause: null });
  });

  it('keeps its own file system when the volume asked to Retain it', async () => {
    // Prepare
    given(fileSystem(VOLUME_ID), []);

    // Act
    const disposal = await decideFileSystemDisposal(
      stateOf(VOLUME_ID),
      { efs, records: records() },
      true,
    );

    // Assess
    expect(disposal).toMatchObject({ remove: false, creatorVolumeId: VOLUME_ID });
    expect(disposal.keptBecause).toContain('Retain');
  });

  it('never removes a file system this stack did not create, tags copied or not', async () => {
    // Prepare: the volume-id tag does not match the CreationToken
    given(
      {
        ...fileSystem(CREATOR, { 'efs-volumes:reclaim-policy': 'Delete' }),
        CreationToken: 'someone-elses-token',
      },
      [],
    );

    // Act
    const disposal = await decideFileSystemDisposal(
      stateOf(VOLUME_ID, true),
      { efs, records: records() },
      false,
    );

    // Assess
    expect(disposal).toMatchObject({ remove: false, creatorVolumeId: null });
    expect(disposal.keptBecause).toContain('not created by this service');
  });

  it.each([
    ['asked for Delete and is deleted', 'Delete', 'DELETED', true],
    ['asked for Delete and its record is gone', 'Delete', undefined, true],
    ['asked for Delete but is still READY', 'Delete', 'READY', false],
    ['asked to Retain', 'Retain', 'DELETED', false],
    ['recorded no reclaim policy', undefined, 'DELETED', false],
  ] as const)(
    "on the last access point of another volume's file system whose creator %s",
    async (_, policy, status, remove) => {
      // Prepare
      given(fileSystem(CREATOR, policy ? { 'efs-volumes:reclaim-policy': policy } : {}), [
        accessPoint('fsap-mine', VOLUME_ID, 'deleting'),
      ]);

      // Act
      const disposal = await decideFileSystemDisposal(
        stateOf(VOLUME_ID, true),
        { efs, records: records(status) },
        false,
      );

      // Assess
      expect(disposal).toMatchObject({ remove, creatorVolumeId: CREATOR });
    },
  );

  it('has nothing to decide for a file system that is gone', async () => {
    // Prepare
    given(undefined, []);

    // Act
    const disposal = await decideFileSystemDisposal(
      stateOf(VOLUME_ID),
      { efs, records: records() },
      false,
    );

    // Assess
    expect(disposal).toMatchObject({
      remove: false,
      keptBecause: null,
      creatorVolumeId: VOLUME_ID,
    });
  });
});
