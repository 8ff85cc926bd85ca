import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { serviceSettings } from '../../functions/lib/config.ts';
import { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { checkMountTargets, dnsDelayLeftSeconds } from '../../functions/lib/workflow/aws-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID } from './fixtures.ts';

// AWS: wait 90 s after creating a mount target before mounting it by its DNS name. The
// readiness gate waits what is left of that delay since CreateMountTargets, not all of it
// again once the mount targets turn available (they take a minute or more to).

const efsMock = mockClient(EFSClient);
const documentMock = mockClient(DynamoDBDocumentClient);
const records = new VolumeRecordStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'volumes',
);
const settings = { ...serviceSettings(), mountTargetDnsDelaySeconds: 90 };
const CREATED = '2026-01-01T00:00:00.000Z';

function stateWith(mountTargets: Record<string, unknown>): StepState {
  return {
    volumeId: VOLUME_ID,
    executionName: VOLUME_ID,
    spec: {},
    fileSystem: { fileSystemId: 'fs-1', shared: false },
    mountTargets: {
      mountTargetIds: ['fsmt-1'],
      createdMountTargetIds: ['fsmt-1'],
      ...mountTargets,
    },
  } as unknown as StepState;
}

/** The first check, at `secondsAfterCreation`, finds the mount target available. */
function checkAt(secondsAfterCreation: number, mountTargets: Record<string, unknown>) {
  const now = () => new Date(Date.parse(CREATED) + secondsAfterCreation * 1000);
  return checkMountTargets(
    stateWith(mountTargets),
    { efs: new EFSClient({}), records, settings },
    now,
  );
}

beforeEach(() => {
  efsMock.reset();
  documentMock.reset();
  documentMock.on(UpdateCommand).resolves({});
  efsMock.on(DescribeMountTargetsCommand).resolves({
    MountTargets: [
      {
        MountTargetId: 'fsmt-1',
        FileSystemId: 'fs-1',
        SubnetId: 'subnet-1',
        LifeCycleState: 'available',
      },
    ],
  });
});

describe('the DNS delay of new mount targets', () => {
  it('waits what is left of the delay since their creation', async () => {
    // Act: available 70 s after they were created
    const progress = await checkAt(70, { createdAt: CREATED });

    // Assess: 20 s left, in one Wait
    expect(progress).toMatchObject({ done: false, waitSeconds: 20, checks: 1 });
    expect(progress.availableAt).toBe('2026-01-01T00:01:10.000Z');
  });

  it('goes straight on when the delay has passed by the time they are available', async () => {
    // Act
    const progress = await checkAt(95, { createdAt: CREATED });

    // Assess: no Wait state (the Choice goes to ApplyManifests on done)
    expect(progress).toMatchObject({ done: true, waitSeconds: 0 });
  });

  it('waits the whole delay when the creation time is unknown (an execution of an earlier version)', async () => {
    // Act
    const progress = await checkAt(70, {});

    // Assess
    expect(progress).toMatchObject({ done: false, waitSeconds: 90 });
  });

  it('trusts the Wait once it has run: the next check is done without waiting again', async () => {
    // Prepare: the check that found them available asked for 20 s
    const first = await checkAt(70, { createdAt: CREATED });
    const state = { ...stateWith({ createdAt: CREATED }), mountTargetsWait: first } as StepState;

    // Act
    const second = await checkMountTargets(state, { efs: new EFSClient({}), records, settings });

    // Assess: no second look at EFS
    expect(second).toMatchObject({ done: true, waitSeconds: 0, checks: 2 });
    expect(efsMock.commandCalls(DescribeMountTargetsCommand)).toHaveLength(1);
  });

  it.each([
    ['just created', 0, 90],
    ['a fraction of a second later', 0.4, 90],
    ['89.5 s later', 89.5, 1],
    ['exactly at the delay', 90, 0],
    ['long after', 3600, 0],
    ['with a clock behind the creation time', -5, 90],
  ])('counts whole seconds, never less than the delay: %s', (_, seconds, left) => {
    const now = new Date(Date.parse(CREATED) + seconds * 1000);
    expect(dnsDelayLeftSeconds(CREATED, now, settings)).toBe(left);
  });

  it('reads an unreadable creation time as unknown', () => {
    expect(dnsDelayLeftSeconds('yesterday', new Date(CREATED), settings)).toBe(90);
    expect(dnsDelayLeftSeconds(undefined, new Date(CREATED), settings)).toBe(90);
  });
});
