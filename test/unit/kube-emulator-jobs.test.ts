import { describe, expect, it, vi } from 'vitest';
import { buildMountCheckJob, mountCheckJobName } from '../../functions/lib/kube/mount-check.ts';
import {
  buildRestoreListingClaim,
  buildRestoreListingJob,
  buildRestoreListingVolume,
  restoreListingName,
} from '../../functions/lib/kube/restore-listing-job.ts';
import { entriesUnder } from '../../local/efs-mounts.ts';
import { JobRunner, type PodFate, type PodPlacement } from '../../local/kube-emulator/jobs.ts';
import { ObjectApi } from '../../local/kube-emulator/object-api.ts';
import type { KubeObject } from '../../local/kube-emulator/objects.ts';
import {
  EVENTS,
  JOBS,
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
} from '../../local/kube-emulator/resources.ts';
import { ObjectStore } from '../../local/kube-emulator/store.ts';

const VOLUME_ID = 'vol-0123456789abcdef0123';
const JOB = mountCheckJobName(VOLUME_ID);
const write = { fieldManager: 'efs-volumes', dryRun: false };
const SETTINGS = {
  image: 'public.ecr.aws/docker/library/busybox:1.37.0',
  timeoutSeconds: 30,
  pollSeconds: 1,
  cpu: '250m',
  memory: '64Mi',
};

/** A cluster with a bound claim, a Job runner whose pods meet `fate`, and what it was asked. */
function cluster(fate: PodFate) {
  const api = new ObjectApi(new ObjectStore(), () => new Date());
  api.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  const asked: PodPlacement[] = [];
  // Scale 0: a cluster second is 10 ms; the pod starts after 10 ms, the deadline is 300 ms.
  const runner = new JobRunner(api, () => new Date(), {
    timeScale: 0,
    podStartSeconds: 1,
    fate: async (pod) => {
      asked.push(pod);
      return fate;
    },
  });
  api.create(
    PERSISTENT_VOLUMES,
    undefined,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `efs-${VOLUME_ID}` },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteMany'],
        storageClassName: 'efs-sc',
        csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-0123abcd::fsap-0123abcd' },
        claimRef: { namespace: 'team-a', name: 'data' },
      },
    },
    write,
  );
  api.create(
    PERSISTENT_VOLUME_CLAIMS,
    'team-a',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'team-a' },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: 'efs-sc',
        volumeName: `efs-${VOLUME_ID}`,
        resources: { requests: { storage: '5Gi' } },
      },
    },
    write,
  );
  const job = buildMountCheckJob({
    volumeId: VOLUME_ID,
    namespace: 'team-a',
    claimName: 'data',
    probe: 'probe',
    settings: SETTINGS,
  });
  api.create(JOBS, 'team-a', job, write);
  const of = (kind: string) => api.all().filter((object) => object.kind === kind);
  const condition = () =>
    (
      api.find({ resource: JOBS, namespace: 'team-a', name: JOB })?.status as
        | { conditions?: { type: string; reason?: string }[] }
        | undefined
    )?.conditions?.find((one) => one.type === 'Complete' || one.type === 'Failed');
  return { api, runner, asked, of, condition };
}

function reasons(events: KubeObject[]): string[] {
  return events.map((event) => `${String(event.type)} ${String(event.reason)}`);
}

const MOUNTED: PodFate = {
  scheduled: true,
  node: 'fargate-ip-10-20-1-37.us-east-1.compute.internal',
  mount: { ok: true, readOnly: [] },
};

describe('the emulator running a Job', () => {
  it('gives the Job a pod labelled with its name, and asks the oracle about its EFS volume', async () => {
    // Prepare
    const { asked, of, runner } = cluster(MOUNTED);

    // Assess
    const [pod] = of('Pod');
    expect(pod?.metadata.labels?.['job-name']).toBe(JOB);
    expect(pod?.metadata.name.startsWith(`${JOB}-`)).toBe(true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({
      namespace: 'team-a',
      volumes: [
        {
          persistentVolume: `efs-${VOLUME_ID}`,
          driver: 'efs.csi.aws.com',
          volumeHandle: 'fs-0123abcd::fsap-0123abcd',
          mountPath: '/mnt/volume',
        },
      ],
    });
    runner.stop();
  });

  it('completes the Job when the pod mounts its volume writable', async () => {
    // Prepare
    const { condition, of, runner } = cluster(MOUNTED);

    // Assess
    await vi.waitFor(() => expect(condition()?.type).toBe('Complete'));
    expect(of('Pod')[0]?.status).toMatchObject({ phase: 'Succeeded' });
    expect(reasons(of('Event'))).toEqual(
      expect.arrayContaining(['Normal Scheduled', 'Normal Started', 'Normal Completed']),
    );
    runner.stop();
  });

  it('fails the Job at once (backoffLimit 0) with the log in the termination message when the volume is read-only', async () => {
    // Prepare
    const { condition, of, runner } = cluster({
      ...MOUNTED,
      mount: {
        ok: true,
        readOnly: [
          {
            persistentVolume: `efs-${VOLUME_ID}`,
            driver: 'efs.csi.aws.com',
            volumeHandle: 'fs-0123abcd::fsap-0123abcd',
            mountPath: '/mnt/volume',
          },
        ],
      },
    });

    // Assess
    await vi.waitFor(() =>
      expect(condition()).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' }),
    );
    expect(JSON.stringify(of('Pod')[0]?.status)).toContain('Read-only file system');
    runner.stop();
  });

  it('leaves the pod ContainerCreating with a FailedMount event, then fails the Job at its deadline and deletes the pod', async () => {
    // Prepare
    const { condition, of, runner } = cluster({
      scheduled: true,
      node: MOUNTED.node,
      mount: {
        ok: false,
        volume: {
          persistentVolume: `efs-${VOLUME_ID}`,
          driver: 'efs.csi.aws.com',
          volumeHandle: 'fs-0123abcd::fsap-0123abcd',
          mountPath: '/mnt/volume',
        },
        output: 'mount.nfs4: Connection timed out',
      },
    });

    // Assess: first the mount fails, the pod waits
    await vi.waitFor(() => expect(reasons(of('Event'))).toContain('Warning FailedMount'));
    expect(JSON.stringify(of('Pod')[0]?.status)).toContain('ContainerCreating');
    const failedMount = of('Event').find((event) => event.reason === 'FailedMount');
    expect(failedMount?.message).toContain('MountVolume.SetUp failed for volume');
    expect(failedMount?.message).toContain('Output: mount.nfs4: Connection timed out');
    // ...then the deadline ends the Job and its pod; the events stay
    await vi.waitFor(() =>
      expect(condition()).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' }),
    );
    expect(of('Pod')).toEqual([]);
    expect(reasons(of('Event'))).toContain('Warning FailedMount');
    runner.stop();
  });

  it('reports a pod no Fargate profile selects as FailedScheduling, never mounted', async () => {
    // Prepare
    const { asked, of, runner } = cluster({ scheduled: false, message: '0/0 nodes are available' });

    // Assess
    await vi.waitFor(() => expect(reasons(of('Event'))).toContain('Warning FailedScheduling'));
    expect(asked).toHaveLength(1);
    expect(of('Pod')[0]?.status).toMatchObject({ phase: 'Pending' });
    runner.stop();
  });

  it("deletes the Job's pods and their events with the Job", async () => {
    // Prepare
    const { api, condition, of, runner } = cluster(MOUNTED);
    await vi.waitFor(() => expect(condition()?.type).toBe('Complete'));

    // Act
    api.delete({ resource: JOBS, namespace: 'team-a', name: JOB }, { dryRun: false });

    // Assess
    expect([...of('Job'), ...of('Pod'), ...of('Event')]).toEqual([]);
    expect(api.list(EVENTS, 'team-a', () => true).items).toEqual([]);
    expect(api.list(PODS, 'team-a', () => true).items).toEqual([]);
    runner.stop();
  });

  it('refuses a Job whose pods would restart (restartPolicy Always)', () => {
    // Prepare
    const api = new ObjectApi(new ObjectStore(), () => new Date());
    api.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const job = buildMountCheckJob({
      volumeId: VOLUME_ID,
      namespace: 'team-a',
      claimName: 'data',
      probe: 'probe',
      settings: SETTINGS,
    }) as unknown as { spec: { template: { spec: { restartPolicy: string } } } };
    job.spec.template.spec.restartPolicy = 'Always';

    // Act / Assess
    expect(() => api.create(JOBS, 'team-a', job, write)).toThrow(/restartPolicy|Unsupported value/);
  });
});

describe('the emulator running a restore listing Job', () => {
  /** A cluster with the listing's volume, claim and Job, whose pods meet `fate`. */
  function listingCluster(fate: PodFate) {
    const api = new ObjectApi(new ObjectStore(), () => new Date());
    api.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const runner = new JobRunner(api, () => new Date(), {
      timeScale: 0,
      podStartSeconds: 1,
      fate: async () => fate,
    });
    const input = {
      volumeId: VOLUME_ID,
      namespace: 'team-a',
      fileSystemId: 'fs-0123abcd',
      accessPointId: 'fsap-0listing',
      settings: SETTINGS,
    };
    api.create(PERSISTENT_VOLUMES, undefined, buildRestoreListingVolume(input), write);
    api.create(PERSISTENT_VOLUME_CLAIMS, 'team-a', buildRestoreListingClaim(input), write);
    api.create(JOBS, 'team-a', buildRestoreListingJob(input), write);
    const name = restoreListingName(VOLUME_ID);
    const condition = () =>
      (
        api.find({ resource: JOBS, namespace: 'team-a', name })?.status as
          | { conditions?: { type: string }[] }
          | undefined
      )?.conditions?.find((one) => one.type === 'Complete' || one.type === 'Failed');
    const message = () =>
      JSON.stringify(api.all().find((object) => object.kind === 'Pod')?.status).match(
        /"message":"([^"]*)"/,
      )?.[1];
    return { runner, condition, message };
  }

  const volume = {
    persistentVolume: restoreListingName(VOLUME_ID),
    driver: 'efs.csi.aws.com',
    volumeHandle: 'fs-0123abcd::fsap-0listing',
    mountPath: '/mnt/restored',
  };

  it("completes with the mount's aws-backup-restore_* names in its termination message, on a file system that admits reads only", async () => {
    // Prepare: the listing mounts read-only, so a read-only file system does not fail it
    const { runner, condition, message } = listingCluster({
      ...MOUNTED,
      mount: {
        ok: true,
        readOnly: [volume],
        entries: {
          '/mnt/restored': ['aws-backup-restore_2026-12-07T04-27-00-417720408Z', 'lost+found'],
        },
      },
    });

    // Assess
    await vi.waitFor(() => expect(condition()?.type).toBe('Complete'));
    expect(message()).toBe('aws-backup-restore_2026-12-07T04-27-00-417720408Z\\n');
    runner.stop();
  });

  it('completes with an empty message when the root holds no restore directory', async () => {
    // Prepare
    const { runner, condition, message } = listingCluster({
      ...MOUNTED,
      mount: { ok: true, readOnly: [], entries: { '/mnt/restored': [] } },
    });

    // Assess
    await vi.waitFor(() => expect(condition()?.type).toBe('Complete'));
    expect(message()).toBe('');
    runner.stop();
  });
});

describe('entriesUnder (what a mount through an access point shows at its top)', () => {
  it("names each first directory under the access point's root once", () => {
    const directories = [
      '/aws-backup-restore_2026-12-07T04-27-00-417720408Z/team-a/source',
      '/aws-backup-restore_2026-12-07T04-27-00-417720408Z/team-b',
      '/other',
    ];
    expect(entriesUnder(directories, '/')).toEqual([
      'aws-backup-restore_2026-12-07T04-27-00-417720408Z',
      'other',
    ]);
    expect(entriesUnder(directories, '/aws-backup-restore_2026-12-07T04-27-00-417720408Z')).toEqual(
      ['team-a', 'team-b'],
    );
    expect(entriesUnder(directories, '/missing')).toEqual([]);
  });
});
