import {
  type AccessPointDescription,
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceSettings } from '../../functions/lib/config.ts';
import type { JobObject } from '../../functions/lib/kube/job-objects.ts';
import { restoreListingName } from '../../functions/lib/kube/restore-listing-job.ts';
import { VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import type { VolumeRecordStore, VolumeResources } from '../../functions/lib/volume/record.ts';
import {
  findRestoreDirectory,
  RESTORE_LISTING_GRACE_SECONDS,
} from '../../functions/lib/workflow/find-restore-directory.ts';
import { rollbackManifests } from '../../functions/lib/workflow/kube-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const NAME = restoreListingName(VOLUME_ID);
const FILE_SYSTEM_ID = 'fs-0abc1234';
const DIRECTORY = 'aws-backup-restore_2026-12-07T04-27-00-417720408Z';
const SETTINGS = {
  image: 'public.ecr.aws/docker/library/busybox:1.37.0',
  timeoutSeconds: 180,
  pollSeconds: 10,
  cpu: '250m',
  memory: '64Mi',
};
const LISTING_POINT: AccessPointDescription = {
  AccessPointId: 'fsap-0listing',
  FileSystemId: FILE_SYSTEM_ID,
  Tags: [
    { Key: VOLUME_ID_TAG, Value: VOLUME_ID },
    { Key: 'efs-volumes:purpose', Value: 'restore-listing' },
  ],
};
const OWN_POINT: AccessPointDescription = {
  AccessPointId: 'fsap-0own',
  FileSystemId: FILE_SYSTEM_ID,
  Tags: [{ Key: VOLUME_ID_TAG, Value: VOLUME_ID }],
};

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: 'us-east-1' });

/** What the step did to the cluster and the record. */
interface Calls {
  readonly created: string[];
  readonly deleted: string[];
  readonly steps: string[];
  resources?: VolumeResources;
}

/** A cluster holding `job` (or none) and its pods and events, behind the object API the step uses. */
function fakeCluster(
  job: JobObject | undefined,
  objects: { pods?: unknown[]; events?: unknown[] } = {},
) {
  const calls: Calls = { created: [], deleted: [], steps: [] };
  const notFound = () => new ApiException(404, 'Not Found', { reason: 'NotFound' }, {});
  const api = {
    read: async () => {
      if (!job) throw notFound();
      return job;
    },
    create: async (object: KubernetesObject) => {
      calls.created.push(`${object.kind}/${object.metadata?.name}`);
      return object;
    },
    delete: async (
      object: KubernetesObject,
      _pretty?: string,
      _dryRun?: string,
      _grace?: number,
      _orphan?: boolean,
      propagation?: string,
    ) => {
      calls.deleted.push(
        `${object.kind}/${object.metadata?.name}${propagation ? ` (${propagation})` : ''}`,
      );
      return {};
    },
    list: async (_apiVersion: string, kind: string) => ({
      items: kind === 'Pod' ? (objects.pods ?? []) : (objects.events ?? []),
    }),
  } as unknown as KubernetesObjectApi;
  const records = {
    stepStarted: async (_id: string, step: string) => {
      calls.steps.push(`${step} started`);
    },
    stepSucceeded: async (_id: string, step: string, resources?: VolumeResources) => {
      calls.steps.push(`${step} succeeded`);
      calls.resources = resources;
    },
    stepFailed: async (_id: string, step: string, error: Error) => {
      calls.steps.push(`${step} failed: ${error.name}`);
    },
  } as unknown as VolumeRecordStore;
  const deps = {
    records,
    efs,
    settings: { mountCheck: SETTINGS } as ServiceSettings,
    kubernetes: async () => api,
  };
  return { deps, calls };
}

function state(checks?: number): StepState {
  return {
    volumeId: VOLUME_ID,
    spec: volumeSpec({
      restoreFrom: {
        volumeId: 'vol-source',
        recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1',
        fileSystemId: 'fs-source1',
      },
    }),
    operation: 'provision',
    fileSystem: { fileSystemId: FILE_SYSTEM_ID, shared: false },
    ...(checks === undefined ? {} : { restoreListing: { done: false, waitSeconds: 10, checks } }),
  };
}

function jobWith(status: JobObject['status']): JobObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: NAME }, status };
}

const SUCCEEDED = jobWith({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });

function podTerminated(message: string | undefined) {
  return {
    metadata: { name: `${NAME}-x7k2p` },
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        {
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              ...(message === undefined ? {} : { message }),
            },
          },
        },
      ],
    },
  };
}

/** What deleting the listing takes: the Job with its pod, the claim, the volume, the access point. */
const CLEANED_UP = [
  `Job/${NAME} (Background)`,
  `PersistentVolumeClaim/${NAME}`,
  `PersistentVolume/${NAME}`,
];

beforeEach(() => {
  vi.stubEnv('STACK_NAME', 'EfsVolumes');
  efsMock.reset();
  efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [OWN_POINT, LISTING_POINT] });
  efsMock.on(CreateAccessPointCommand).resolves({ AccessPointId: 'fsap-0listing' });
  efsMock.on(DeleteAccessPointCommand).resolves({});
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('findRestoreDirectory (the FindRestoreDirectory step)', () => {
  it("first creates a temporary access point on the file system's root as a non-root user, then the PersistentVolume, claim and Job, and waits", async () => {
    // Prepare: no listing access point yet
    efsMock.on(DescribeAccessPointsCommand).resolves({ AccessPoints: [] });
    const { deps, calls } = fakeCluster(undefined);

    // Act
    const progress = await findRestoreDirectory(state(), deps);

    // Assess
    expect(progress).toEqual({ done: false, waitSeconds: 10, checks: 1 });
    const [create] = efsMock.commandCalls(CreateAccessPointCommand);
    expect(create?.args[0].input).toMatchObject({
      ClientToken: `${VOLUME_ID}-restore-listing`,
      FileSystemId: FILE_SYSTEM_ID,
      PosixUser: { Uid: 65534, Gid: 65534 },
      RootDirectory: { Path: '/' },
    });
    expect(create?.args[0].input.Tags).toEqual(
      expect.arrayContaining([
        { Key: VOLUME_ID_TAG, Value: VOLUME_ID },
        { Key: 'efs-volumes:stack', Value: 'EfsVolumes' },
        { Key: 'efs-volumes:purpose', Value: 'restore-listing' },
      ]),
    );
    expect(calls.created).toEqual([
      `PersistentVolume/${NAME}`,
      `PersistentVolumeClaim/${NAME}`,
      `Job/${NAME}`,
    ]);
    expect(calls.deleted).toEqual([]);
  });

  it('takes the listing access point a retried first look made, never the volume’s own', async () => {
    // Prepare
    const { deps } = fakeCluster(undefined);

    // Act
    await findRestoreDirectory(state(), deps);

    // Assess
    expect(efsMock.commandCalls(CreateAccessPointCommand)).toHaveLength(0);
  });

  it('waits again while the Job runs, and touches nothing', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(jobWith({ active: 1 }));

    // Act
    const progress = await findRestoreDirectory(state(3), deps);

    // Assess
    expect(progress).toEqual({ done: false, waitSeconds: 10, checks: 4 });
    expect(calls.created).toEqual([]);
    expect(calls.deleted).toEqual([]);
    expect(efsMock.commandCalls(DeleteAccessPointCommand)).toHaveLength(0);
  });

  it('is done with the one directory the pod found, records it, and deletes the Job, claim, volume and temporary access point', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(SUCCEEDED, { pods: [podTerminated(`${DIRECTORY}\n`)] });

    // Act
    const progress = await findRestoreDirectory(state(5), deps);

    // Assess
    expect(progress).toEqual({
      done: true,
      waitSeconds: 0,
      checks: 6,
      restoreDirectory: `/${DIRECTORY}`,
    });
    expect(calls.resources).toEqual({ restoreDirectory: `/${DIRECTORY}` });
    expect(calls.deleted).toEqual(CLEANED_UP);
    expect(
      efsMock.commandCalls(DeleteAccessPointCommand).map((call) => call.args[0].input),
    ).toEqual([{ AccessPointId: 'fsap-0listing' }]);
  });

  it.each([
    ['none', ''],
    ['several', `${DIRECTORY}\naws-backup-restore_2026-12-07T05-00-00-000000001Z\n`],
  ])(
    'fails when the pod found %s, deleting everything the listing made',
    async (_case, message) => {
      // Prepare
      const { deps, calls } = fakeCluster(SUCCEEDED, { pods: [podTerminated(message)] });

      // Act
      const error = await findRestoreDirectory(state(5), deps).catch((caught: Error) => caught);

      // Assess
      expect(error).toMatchObject({ name: 'RestoreDirectoryNotFoundError' });
      expect(calls.steps.at(-1)).toBe('FindRestoreDirectory failed: RestoreDirectoryNotFoundError');
      expect(calls.deleted).toEqual(CLEANED_UP);
      expect(efsMock.commandCalls(DeleteAccessPointCommand)).toHaveLength(1);
    },
  );

  it("fails with the pod's events when the Job failed, deleting everything the listing made", async () => {
    // Prepare: the mount target of the pod's zone is gone: the pod never mounts
    const { deps, calls } = fakeCluster(
      jobWith({
        failed: 1,
        conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }],
      }),
      {
        pods: [],
        events: [
          {
            type: 'Warning',
            reason: 'FailedMount',
            message: 'MountVolume.SetUp failed … Failed to resolve "fs-0abc1234.efs…"',
            involvedObject: { kind: 'Pod', name: `${NAME}-x7k2p` },
          },
        ],
      },
    );

    // Act
    const error = await findRestoreDirectory(state(19), deps).catch((caught: Error) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'RestoreDirectoryNotFoundError' });
    expect((error as Error).message).toMatch(/^restore listing failed: Job DeadlineExceeded/);
    expect((error as Error).message).toContain('Warning FailedMount');
    expect(calls.deleted).toEqual(CLEANED_UP);
    expect(efsMock.commandCalls(DeleteAccessPointCommand)).toHaveLength(1);
  });

  it('gives up on a Job the cluster never ended, past its deadline and a grace', async () => {
    // Prepare
    const checks =
      Math.ceil((SETTINGS.timeoutSeconds + RESTORE_LISTING_GRACE_SECONDS) / SETTINGS.pollSeconds) +
      1;
    const { deps, calls } = fakeCluster(jobWith({ active: 1 }));

    // Act
    const error = await findRestoreDirectory(state(checks), deps).catch((caught: Error) => caught);

    // Assess
    expect((error as Error).message).toContain('Job did not finish in time');
    expect(calls.deleted).toEqual(CLEANED_UP);
  });

  it('fails when the Job disappeared between two looks, deleting the rest', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(undefined);

    // Act / Assess
    await expect(findRestoreDirectory(state(2), deps)).rejects.toMatchObject({
      name: 'RestoreDirectoryNotFoundError',
      message: expect.stringContaining('disappeared'),
    });
    expect(calls.created).toEqual([]);
    expect(calls.deleted).toEqual(CLEANED_UP);
    expect(efsMock.commandCalls(DeleteAccessPointCommand)).toHaveLength(1);
  });
});

describe('rollbackManifests after a restore listing', () => {
  it('deletes the listing Job, claim and volume when FindRestoreDirectory failed', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(undefined);
    const failed: StepState = {
      ...state(),
      cluster: { name: 'demo' } as StepState['cluster'],
      failedStep: 'FindRestoreDirectory',
    };

    // Act
    await rollbackManifests(failed, deps);

    // Assess
    expect(calls.deleted).toEqual(expect.arrayContaining(CLEANED_UP));
  });

  it('deletes them when a deletion cleans up after a restore whose provisioning ended unsettled', async () => {
    // Prepare: the deprovisioning execution's state knows nothing of the listing
    const { deps, calls } = fakeCluster(undefined);
    const cleanup: StepState = {
      ...state(),
      operation: 'deprovision',
      cluster: { name: 'demo' } as StepState['cluster'],
      failedProvision: true,
    };

    // Act
    await rollbackManifests(cleanup, deps);

    // Assess
    expect(calls.deleted).toEqual(expect.arrayContaining(CLEANED_UP));
  });

  it('leaves the listing alone when this execution never ran it', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(undefined);
    const failed: StepState = {
      ...state(),
      cluster: { name: 'demo' } as StepState['cluster'],
      failedStep: 'CheckMountTargets',
    };

    // Act
    await rollbackManifests(failed, deps);

    // Assess
    expect(calls.deleted.filter((object) => object.includes(NAME))).toEqual([]);
  });
});
