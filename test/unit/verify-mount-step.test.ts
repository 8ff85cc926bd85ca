import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { describe, expect, it } from 'vitest';
import type { ServiceSettings } from '../../functions/lib/config.ts';
import {
  buildMountCheckJob,
  describeMountCheckFailure,
  type JobObject,
  MOUNT_CHECK_SCRIPT,
  mountCheckJobName,
} from '../../functions/lib/kube/mount-check.ts';
import type { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import type { VolumeSpec } from '../../functions/lib/volume/request.ts';
import {
  MOUNT_CHECK_GRACE_SECONDS,
  mountToBeVerified,
  verifyMount,
} from '../../functions/lib/workflow/kube-steps.ts';
import type { StepState } from '../../functions/lib/workflow/state.ts';

const VOLUME_ID = 'vol-0123456789abcdef0123';
const JOB = mountCheckJobName(VOLUME_ID);
const MOUNT_CHECK = {
  image: 'public.ecr.aws/docker/library/busybox:1.37.0',
  timeoutSeconds: 180,
  pollSeconds: 10,
  cpu: '250m',
  memory: '64Mi',
};

const SPEC = {
  clusterName: 'demo',
  namespace: 'team-a',
  name: 'data',
  verifyMount: true,
} as unknown as VolumeSpec;

/** What the step did to the cluster and the record. */
interface Calls {
  readonly created: KubernetesObject[];
  readonly deleted: { name: string; propagation: string | undefined }[];
  readonly steps: string[];
}

/** A cluster holding `job` (or none), its pods and events, behind the object API the step uses. */
function fakeCluster(
  job: JobObject | undefined,
  objects: { pods?: unknown[]; events?: unknown[]; createStatus?: number } = {},
) {
  const calls: Calls = { created: [], deleted: [], steps: [] };
  const notFound = () => new ApiException(404, 'Not Found', { reason: 'NotFound' }, {});
  const api = {
    read: async () => {
      if (!job) throw notFound();
      return job;
    },
    create: async (object: KubernetesObject) => {
      if (objects.createStatus) throw new ApiException(objects.createStatus, 'Conflict', {}, {});
      calls.created.push(object);
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
      if (!job) throw notFound();
      calls.deleted.push({ name: object.metadata?.name ?? '', propagation });
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
    stepSucceeded: async (_id: string, step: string) => {
      calls.steps.push(`${step} succeeded`);
    },
    stepFailed: async (_id: string, step: string, error: Error) => {
      calls.steps.push(`${step} failed: ${error.name}`);
    },
  } as unknown as VolumeRecordStore;
  const deps = {
    records,
    settings: { mountCheck: MOUNT_CHECK } as ServiceSettings,
    kubernetes: async () => api,
  };
  return { deps, calls };
}

function state(overrides: Partial<StepState> = {}): StepState {
  return {
    volumeId: VOLUME_ID,
    spec: SPEC,
    operation: 'provision',
    executionName: VOLUME_ID,
    ...overrides,
  };
}

function jobWith(status: JobObject['status']): JobObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: JOB, namespace: 'team-a' },
    status,
  };
}

const FAILED_MOUNT_EVENT = {
  type: 'Warning',
  reason: 'FailedMount',
  message:
    'MountVolume.SetUp failed for volume "efs-vol" : … Output: Failed to resolve "fs-0123abcd.efs.us-east-1.amazonaws.com" - check that your file system ID is correct',
  involvedObject: { kind: 'Pod', name: `${JOB}-x7k2p` },
};

describe('buildMountCheckJob', () => {
  it('builds a hardened one-pod Job that mounts the claim and ends by itself', () => {
    // Act
    const job = buildMountCheckJob({
      volumeId: VOLUME_ID,
      namespace: 'team-a',
      claimName: 'data',
      probe: 'exec-1',
      settings: MOUNT_CHECK,
    });

    // Assess
    expect(job.metadata).toMatchObject({ name: JOB, namespace: 'team-a' });
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 180,
      ttlSecondsAfterFinished: expect.any(Number),
    });
    const pod = (job.spec as { template: { spec: { containers: unknown[] } } }).template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumes: [{ name: 'volume', persistentVolumeClaim: { claimName: 'data' } }],
    });
    expect(pod?.containers[0]).toMatchObject({
      image: MOUNT_CHECK.image,
      command: ['sh', '-c', MOUNT_CHECK_SCRIPT],
      env: [{ name: 'PROBE', value: 'exec-1' }],
      resources: {
        requests: { cpu: '250m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '64Mi' },
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      },
      terminationMessagePolicy: 'FallbackToLogsOnError',
      volumeMounts: [{ name: 'volume', mountPath: '/mnt/volume' }],
    });
  });

  it('writes, reads back, compares and removes the probe file', () => {
    expect(MOUNT_CHECK_SCRIPT).toMatch(/printf %s "\$PROBE" > "\$probe"/);
    expect(MOUNT_CHECK_SCRIPT).toMatch(/read=\$\(cat "\$probe"\)/);
    expect(MOUNT_CHECK_SCRIPT).toMatch(/rm -f "\$probe"/);
    expect(MOUNT_CHECK_SCRIPT).toMatch(/\[ "\$read" = "\$PROBE" \]/);
  });
});

describe('verifyMount (the VerifyMount step)', () => {
  it('creates the Job on its first look and waits the poll interval', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(undefined);

    // Act
    const progress = await verifyMount(state(), deps);

    // Assess
    expect(progress).toEqual({ done: false, waitSeconds: 10, checks: 1 });
    expect(calls.created.map((object) => object.metadata?.name)).toEqual([JOB]);
    expect(calls.steps).toEqual(['VerifyMount started', 'VerifyMount succeeded']);
  });

  it('takes a Job that exists already (a retried first look) as its own', async () => {
    // Prepare
    const { deps } = fakeCluster(undefined, { createStatus: 409 });

    // Act / Assess
    await expect(verifyMount(state(), deps)).resolves.toMatchObject({ done: false, checks: 1 });
  });

  it('waits again while the Job runs, and touches nothing', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(jobWith({ active: 1 }));

    // Act
    const progress = await verifyMount(
      state({ mountCheck: { done: false, waitSeconds: 10, checks: 3 } }),
      deps,
    );

    // Assess
    expect(progress).toEqual({ done: false, waitSeconds: 10, checks: 4 });
    expect(calls.created).toEqual([]);
    expect(calls.deleted).toEqual([]);
  });

  it('is done when the Job succeeded, and deletes it with its pod', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(
      jobWith({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
    );

    // Act
    const progress = await verifyMount(
      state({ mountCheck: { done: false, waitSeconds: 10, checks: 2 } }),
      deps,
    );

    // Assess
    expect(progress).toEqual({ done: true, waitSeconds: 0, checks: 3 });
    expect(calls.deleted).toEqual([{ name: JOB, propagation: 'Background' }]);
  });

  it("fails with the pod's events when the Job failed at its deadline, and deletes it", async () => {
    // Prepare: the deadline deleted the pod; its events remain
    const { deps, calls } = fakeCluster(
      jobWith({
        failed: 1,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        ],
      }),
      { pods: [], events: [FAILED_MOUNT_EVENT] },
    );

    // Act
    const error = await verifyMount(
      state({ mountCheck: { done: false, waitSeconds: 10, checks: 19 } }),
      deps,
    ).catch((caught: Error) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'MountVerificationFailedError' });
    expect((error as Error).message).toContain('Job DeadlineExceeded');
    expect((error as Error).message).toContain(`pod ${JOB}-x7k2p deleted`);
    expect((error as Error).message).toContain('Warning FailedMount');
    expect((error as Error).message).toContain(
      'Failed to resolve "fs-0123abcd.efs.us-east-1.amazonaws.com"',
    );
    expect(calls.deleted).toEqual([{ name: JOB, propagation: 'Background' }]);
    expect(calls.steps.at(-1)).toBe('VerifyMount failed: MountVerificationFailedError');
  });

  it("fails with the container's termination message (the end of its log) when the probe could not be written", async () => {
    // Prepare
    const pod = {
      metadata: { name: `${JOB}-x7k2p` },
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            state: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                message:
                  "sh: can't create /mnt/volume/.efs-volumes-mount-check-x: Permission denied\n",
              },
            },
          },
        ],
      },
    };
    const { deps } = fakeCluster(
      jobWith({
        failed: 1,
        conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
      }),
      { pods: [pod], events: [] },
    );

    // Act
    const error = await verifyMount(
      state({ mountCheck: { done: false, waitSeconds: 10, checks: 2 } }),
      deps,
    ).catch((caught: Error) => caught);

    // Assess
    expect((error as Error).message).toContain('Job BackoffLimitExceeded');
    expect((error as Error).message).toContain("terminated: Error (exit 1): sh: can't create");
    expect((error as Error).message).toContain('Permission denied');
  });

  it('gives up on a Job the cluster never ended, past its deadline and a grace', async () => {
    // Prepare: looks enough to pass 180 s + the grace at 10 s each
    const checks = Math.ceil((MOUNT_CHECK.timeoutSeconds + MOUNT_CHECK_GRACE_SECONDS) / 10) + 1;
    const { deps, calls } = fakeCluster(jobWith({ active: 1 }), { pods: [], events: [] });

    // Act
    const error = await verifyMount(
      state({ mountCheck: { done: false, waitSeconds: 10, checks } }),
      deps,
    ).catch((caught: Error) => caught);

    // Assess
    expect((error as Error).message).toContain('Job did not finish in time');
    expect((error as Error).message).toContain('no pod was created');
    expect(calls.deleted).toEqual([{ name: JOB, propagation: 'Background' }]);
  });

  it('fails when the Job disappeared between two looks', async () => {
    // Prepare
    const { deps, calls } = fakeCluster(undefined);

    // Act / Assess
    await expect(
      verifyMount(state({ mountCheck: { done: false, waitSeconds: 10, checks: 2 } }), deps),
    ).rejects.toMatchObject({ name: 'MountVerificationFailedError' });
    expect(calls.created).toEqual([]);
  });
});

describe('mountToBeVerified', () => {
  it('follows the spec while provisioning and the request (the input) while repairing', () => {
    expect(mountToBeVerified(state())).toBe(true);
    expect(
      mountToBeVerified(state({ spec: { ...SPEC, verifyMount: undefined } as VolumeSpec })),
    ).toBe(false);
    expect(mountToBeVerified(state({ operation: 'repair' }))).toBe(false);
    expect(mountToBeVerified(state({ operation: 'repair', verifyMount: true }))).toBe(true);
  });
});

describe('describeMountCheckFailure', () => {
  it('keeps the message within what the record keeps', () => {
    // Prepare
    const pods = [
      { name: 'p', phase: 'Pending', events: [`Warning FailedMount: ${'x'.repeat(2000)}`] },
    ];

    // Act
    const message = describeMountCheckFailure(undefined, pods);

    // Assess
    expect(message.length).toBeLessThanOrEqual(900);
  });
});
