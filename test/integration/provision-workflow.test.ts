import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeBackupPolicyCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-efs';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupError, TransientError } from '../../functions/lib/errors.ts';
import { persistentVolumeName, VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import type { VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import type { StepEvent } from '../../functions/lib/workflow/execution.ts';
import type { TaskHandler } from '../../local/step-functions/local-workflow.ts';
import { kubernetesApiFor } from '../support/kubernetes-client.ts';
import {
  awsLeftovers,
  ec2,
  efs,
  isClusterSetup,
  kubeLeftovers,
  PROVISION_STEPS,
  provision,
  routeClusterTo,
  startEmulatorFor,
  startTestCluster,
  type TestCluster,
  useVolumesTable,
} from '../support/workflow-harness.ts';

class InjectedFault extends Error {
  constructor(functionName: string) {
    super(`fault injected after ${functionName} did its work`);
    this.name = 'InjectedFault';
  }
}

/** Runs the real handler, then fails as a Lambda that timed out after its side effect would. */
function failAfter(target: string) {
  return (functionName: string, handler: TaskHandler): TaskHandler =>
    functionName === target
      ? async (input) => {
          await handler(input);
          throw new InjectedFault(functionName);
        }
      : handler;
}

let records: VolumeRecordStore;
let cluster: TestCluster;

beforeAll(async () => {
  records = await useVolumesTable();
  cluster = await startTestCluster(['team-a']);
});

afterAll(async () => {
  await cluster?.emulator.stop();
});

describe('provision workflow (statemachine/provision.asl.json)', () => {
  it('creates every resource with the right properties and ends READY', async () => {
    // Prepare / Act
    const outcome = await provision(records, {
      clusterName: cluster.seeded.name,
      namespace: 'team-a',
      name: 'shared-data',
      posixUser: { uid: 1001, gid: 2002 },
      rootDirectory: { path: '/team-a/shared-data', permissions: '0750' },
      reclaimPolicy: 'Delete',
      tags: { 'cost-center': '42' },
    });

    // Assess: the record
    expect(outcome.error).toBeUndefined();
    const { record, volumeId } = outcome;
    expect(record.status).toBe('READY');
    for (const step of PROVISION_STEPS) {
      expect(record.steps[step]?.status, step).toBe('SUCCEEDED');
      expect(record.steps[step]?.endedAt, step).toBeDefined();
    }
    const { resources } = record;
    expect(resources.fileSystemId).toMatch(/^fs-/);
    expect(resources.securityGroupId).toMatch(/^sg-/);
    expect(resources.accessPointId).toMatch(/^fsap-/);
    expect(resources.mountTargetIds).toHaveLength(3);
    expect(resources.persistentVolumeName).toBe(persistentVolumeName(volumeId));

    // Assess: the file system
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ CreationToken: volumeId }),
    );
    expect(FileSystems).toHaveLength(1);
    expect(FileSystems[0]?.Encrypted).toBe(true);
    const { BackupPolicy } = await efs.send(
      new DescribeBackupPolicyCommand({ FileSystemId: resources.fileSystemId }),
    );
    expect(BackupPolicy?.Status).toBe('ENABLED');
    const { Tags = [] } = await efs.send(
      new ListTagsForResourceCommand({ ResourceId: resources.fileSystemId }),
    );
    expect(Tags).toEqual(
      expect.arrayContaining([
        { Key: VOLUME_ID_TAG, Value: volumeId },
        { Key: 'efs-volumes:stack', Value: 'EfsVolumes' },
        { Key: 'caller:cost-center', Value: '42' },
      ]),
    );

    // Assess: the security group allows NFS from the cluster only, and nothing out
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [resources.securityGroupId ?? ''] }),
    );
    const group = SecurityGroups[0];
    expect(group?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2049,
        ToPort: 2049,
        UserIdGroupPairs: [
          expect.objectContaining({ GroupId: cluster.seeded.clusterSecurityGroupId }),
        ],
      }),
    ]);
    expect(group?.IpPermissions?.[0]?.IpRanges ?? []).toEqual([]);
    expect(group?.IpPermissionsEgress ?? []).toEqual([]);

    // Assess: one mount target per zone, each with the volume's security group
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: resources.fileSystemId }),
    );
    expect(new Set(MountTargets.map((target) => target.AvailabilityZoneName))).toEqual(
      new Set(cluster.seeded.availabilityZones),
    );
    expect(MountTargets.every((target) => target.LifeCycleState === 'available')).toBe(true);
    for (const target of MountTargets) {
      const { SecurityGroups: groups } = await efs.send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: target.MountTargetId }),
      );
      expect(groups).toEqual([resources.securityGroupId]);
    }

    // Assess: the access point
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ AccessPointId: resources.accessPointId }),
    );
    expect(AccessPoints[0]?.PosixUser).toEqual({ Uid: 1001, Gid: 2002 });
    expect(AccessPoints[0]?.RootDirectory).toEqual({
      Path: '/team-a/shared-data',
      CreationInfo: { OwnerUid: 1001, OwnerGid: 2002, Permissions: '0750' },
    });

    // Assess: the file system policy: TLS only, mounts only through its access points
    const { Policy } = await efs.send(
      new DescribeFileSystemPolicyCommand({ FileSystemId: resources.fileSystemId }),
    );
    const accessPointArn = AccessPoints[0]?.AccessPointArn;
    expect(accessPointArn).toMatch(/:access-point\/fsap-/);
    expect(JSON.parse(Policy ?? '{}').Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: {
          ArnLike: {
            'elasticfilesystem:AccessPointArn': accessPointArn?.replace(/fsap-.*$/, 'fsap-*'),
          },
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
        },
      }),
    ]);

    // Assess: the Kubernetes objects, read back through the API
    const api = await kubernetesApiFor(cluster.emulator);
    const pv = await api.read<V1PersistentVolume>({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: persistentVolumeName(volumeId) },
    });
    expect(pv.spec?.csi).toEqual({
      driver: 'efs.csi.aws.com',
      volumeHandle: `${resources.fileSystemId}::${resources.accessPointId}`,
      volumeAttributes: { encryptInTransit: 'true' },
    });
    expect(pv.spec?.mountOptions).toBeUndefined();
    expect(pv.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(pv.spec?.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(pv.status?.phase).toBe('Bound');
    const pvc = await api.read<V1PersistentVolumeClaim>({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'shared-data', namespace: 'team-a' },
    });
    expect(pvc.spec?.volumeName).toBe(persistentVolumeName(volumeId));
    expect(pvc.spec?.storageClassName).toBe('efs-sc');
    expect(pvc.status?.phase).toBe('Bound');
    expect(pvc.status?.accessModes).toEqual(['ReadWriteMany']);

    // Assess: the cost of a happy path with no waiting, for the closing note
    expect(outcome.transitions).toBeGreaterThan(PROVISION_STEPS.length);
    console.info(`happy path: ${outcome.transitions} state transitions`);
  });

  it('creates nothing twice when every step runs twice', async () => {
    // Prepare: each handler runs twice, the second result is what the state machine sees
    const twice =
      (_: string, handler: TaskHandler): TaskHandler =>
      async (input) => {
        await handler(input);
        return handler(input);
      };

    // Act
    const outcome = await provision(records, { clusterName: cluster.seeded.name }, { wrap: twice });

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.record.status).toBe('READY');
    const left = await awsLeftovers(outcome.volumeId);
    expect(left.filter((id) => id.startsWith('FileSystem/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('SecurityGroup/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('AccessPoint/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('MountTarget/'))).toHaveLength(3);
    expect(kubeLeftovers(cluster.emulator, outcome.volumeId).sort()).toEqual(
      [
        `PersistentVolume/${persistentVolumeName(outcome.volumeId)}`,
        `PersistentVolumeClaim/${outcome.record.name}`,
      ].sort(),
    );
  });

  // Two steps end to end, one before the manifests and one after: each step's route to the
  // rollback is a table (test/unit/state-machine-contract), and a failure after every step runs
  // through the bundles under the AWS model (aws-model-workflow).
  describe.each(['CreateMountTargets', 'CheckClaimBound'] as const)(
    'a failure after %s did its work',
    (step) => {
      it('rolls back everything and ends FAILED with that step and cause', async () => {
        // Prepare: a fresh Kubernetes API, so the CSIDriver and StorageClass are this volume's
        const emulator = await startEmulatorFor(cluster.seeded.name);
        try {
          // Act
          const outcome = await provision(
            records,
            { clusterName: cluster.seeded.name },
            { wrap: failAfter(step) },
          );

          // Assess
          expect(outcome.error?.name).toBe('InjectedFault');
          expect(outcome.record.status).toBe('FAILED');
          expect(outcome.record.error).toEqual({
            step,
            name: 'InjectedFault',
            message: `fault injected after ${step} did its work`,
          });
          expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
          expect(kubeLeftovers(emulator, outcome.volumeId)).toEqual([]);
          // The CSIDriver is cluster infrastructure: once applied it stays (issue 12 item 5)
          const applied =
            PROVISION_STEPS.indexOf(step) >= PROVISION_STEPS.indexOf('ApplyManifests');
          expect(
            emulator
              .objects()
              .filter((object) => !isClusterSetup(object))
              .map((object) => `${object.kind}/${object.metadata?.name}`),
          ).toEqual(applied ? ['CSIDriver/efs.csi.aws.com'] : []);
        } finally {
          await emulator.stop();
          routeClusterTo(cluster.seeded.name, cluster.emulator);
        }
      });
    },
  );

  it('retries a transient failure with backoff and still ends READY', async () => {
    // Prepare: CreateFileSystem is throttled once
    let calls = 0;
    const throttledOnce = (functionName: string, handler: TaskHandler): TaskHandler =>
      functionName === 'CreateFileSystem'
        ? async (input) => {
            calls++;
            if (calls === 1) throw new TransientError('ThrottlingException: Rate exceeded');
            return handler(input);
          }
        : handler;

    // Act
    const outcome = await provision(
      records,
      { clusterName: cluster.seeded.name },
      { wrap: throttledOnce },
    );

    // Assess
    expect(outcome.record.status).toBe('READY');
    expect(calls).toBe(2);
    expect(outcome.events.filter((event) => event.type === 'StateRetried')).toHaveLength(1);
  });

  it('fails an unknown cluster at ResolveCluster and creates nothing', async () => {
    // Act
    const outcome = await provision(records, { clusterName: 'no-such-cluster' });

    // Assess
    expect(outcome.error?.name).toBe('ClusterNotFoundError');
    expect(outcome.record.status).toBe('FAILED');
    expect(outcome.record.error?.step).toBe('ResolveCluster');
    expect(outcome.record.error?.message).toContain('no-such-cluster');
    expect(outcome.record.steps.CreateSecurityGroup).toBeUndefined();
    expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
  });

  it('rolls back when the namespace does not exist', async () => {
    // Act
    const outcome = await provision(records, {
      clusterName: cluster.seeded.name,
      namespace: 'no-such-team',
    });

    // Assess
    expect(outcome.error?.name).toBe('KubernetesRequestError');
    expect(outcome.record.status).toBe('FAILED');
    expect(outcome.record.error?.step).toBe('ApplyManifests');
    expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
    expect(kubeLeftovers(cluster.emulator, outcome.volumeId)).toEqual([]);
  });

  it('refuses to take over a claim that belongs to someone else, and leaves it alone', async () => {
    // Prepare: a claim made by a person, with the name the request asks for
    const api = await kubernetesApiFor(cluster.emulator);
    await api.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'hand-made', namespace: 'team-a' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });

    // Act
    const outcome = await provision(records, {
      clusterName: cluster.seeded.name,
      name: 'hand-made',
    });

    // Assess
    expect(outcome.error?.name).toBe('KubernetesConflictError');
    expect(outcome.record.status).toBe('FAILED');
    const claim = await api.read<V1PersistentVolumeClaim>({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'hand-made', namespace: 'team-a' },
    });
    expect(claim.spec?.accessModes).toEqual(['ReadWriteOnce']);
    expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
  });

  it('is refused by a Kubernetes API that belongs to another cluster, and still cleans up AWS', async () => {
    // Prepare: the cluster's endpoint answers for another cluster, so our token cannot match
    const impostor = await startEmulatorFor('another-cluster');
    routeClusterTo(cluster.seeded.name, impostor);
    try {
      // Act
      const outcome = await provision(records, { clusterName: cluster.seeded.name });

      // Assess: refused at apply; rollback cannot check Kubernetes either, so it says so,
      // but every AWS resource is gone
      expect(outcome.error?.name).toBe('KubernetesRequestError');
      expect(outcome.record.error).toMatchObject({
        step: 'ApplyManifests',
        name: 'KubernetesRequestError',
      });
      expect(outcome.record.error?.message).toContain('401');
      expect(outcome.record.status).toBe('ROLLBACK_FAILED');
      expect(outcome.record.leftovers).toEqual([
        {
          type: 'Kubernetes',
          id: 'unknown: could not be checked',
          reason: expect.stringMatching(/^could not be checked: KubernetesRequestError: .*401/),
        },
      ]);
      expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
      expect(impostor.objects().filter((object) => !isClusterSetup(object))).toEqual([]);
    } finally {
      await impostor.stop();
      routeClusterTo(cluster.seeded.name, cluster.emulator);
    }
  });

  it('adds an access point to an existing file system and never deletes that file system', async () => {
    // Prepare: a file system provisioned by an earlier volume
    const first = await provision(records, { clusterName: cluster.seeded.name });
    const fileSystemId = first.record.resources.fileSystemId ?? '';

    // Act: a second volume on it that fails late
    const outcome = await provision(
      records,
      { clusterName: cluster.seeded.name, fileSystemId },
      { wrap: failAfter('CheckClaimBound') },
    );

    // Assess
    expect(outcome.record.status).toBe('FAILED');
    expect(outcome.record.resources.fileSystemShared).toBe(true);
    const { FileSystems = [] } = await efs.send(
      new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
    );
    expect(FileSystems).toHaveLength(1);
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
    );
    expect(MountTargets).toHaveLength(3);
    const { AccessPoints = [] } = await efs.send(
      new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
    );
    expect(AccessPoints.map((point) => point.AccessPointId)).toEqual([
      first.record.resources.accessPointId,
    ]);
    expect(await awsLeftovers(outcome.volumeId)).toEqual([]);
    // The first volume's pods still mount: the policy allows every access point of the file
    // system, the same document whatever volumes come and go
    const { Policy } = await efs.send(
      new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }),
    );
    const allowed = JSON.parse(Policy ?? '{}').Statement[1].Condition.ArnLike[
      'elasticfilesystem:AccessPointArn'
    ] as string;
    expect(AccessPoints[0]?.AccessPointArn?.replace(/fsap-.*$/, 'fsap-*')).toBe(allowed);
  });

  it('ends ROLLBACK_FAILED and lists what is left when a delete keeps failing', async () => {
    // Prepare: the provision fails late, and deleting the file system always fails
    const broken = (functionName: string, handler: TaskHandler): TaskHandler => {
      if (functionName === 'CheckClaimBound')
        return failAfter('CheckClaimBound')(functionName, handler);
      if (functionName === 'DeleteFileSystem') {
        // As a Lambda that records its start and then fails every time
        return async (event) => {
          const { volumeId } = (event as StepEvent).state;
          await records.stepStarted(volumeId, 'DeleteFileSystem');
          throw new CleanupError('DeleteFileSystem keeps failing');
        };
      }
      return handler;
    };

    // Act
    const outcome = await provision(
      records,
      { clusterName: cluster.seeded.name },
      { wrap: broken },
    );

    // Assess
    expect(outcome.record.status).toBe('ROLLBACK_FAILED');
    expect(outcome.error?.name).toBe('InjectedFault');
    expect(outcome.record.error?.step).toBe('CheckClaimBound');
    expect(outcome.record.rollbackError).toMatchObject({
      step: 'DeleteFileSystem',
      name: 'CleanupError',
    });
    // rollback went on past the stuck delete: only the file system is left, and listed
    expect(outcome.record.leftovers).toEqual([
      { type: 'FileSystem', id: outcome.record.resources.fileSystemId },
    ]);
    expect(await awsLeftovers(outcome.volumeId)).toEqual([
      `FileSystem/${outcome.record.resources.fileSystemId}`,
    ]);
    expect(kubeLeftovers(cluster.emulator, outcome.volumeId)).toEqual([]);
  });

  it('is READY only once the DNS delay has passed since the mount targets were created', async () => {
    // Prepare: a 4 s delay, and real Wait states
    process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '4';
    try {
      // Act
      const outcome = await provision(
        records,
        { clusterName: cluster.seeded.name },
        { waitMilliseconds: undefined },
      );

      // Assess: CreateMountTargets recorded when they all existed; one Wait for what was left
      // of the delay, straight on to ApplyManifests (no check after it), no sooner than that
      expect(outcome.record.status).toBe('READY');
      const entered = outcome.events.flatMap((event) =>
        event.type === 'StateEntered' && event.state?.name ? [event.state.name] : [],
      );
      expect(entered.filter((name) => name === 'WaitForMountTargetDns')).toHaveLength(1);
      expect(entered[entered.indexOf('WaitForMountTargetDns') + 1]).toBe('ApplyManifests');
      const exited = outcome.events.find(
        (event) => event.type === 'StateExited' && event.state?.name === 'CreateMountTargets',
      );
      const createdAt = Date.parse(
        (exited?.state?.output as { mountTargets?: { createdAt?: string } } | undefined)
          ?.mountTargets?.createdAt ?? '',
      );
      const createStarted = Date.parse(outcome.record.steps.CreateMountTargets?.startedAt ?? '');
      const applied = Date.parse(outcome.record.steps.ApplyManifests?.startedAt ?? '');
      expect(createdAt).toBeGreaterThanOrEqual(createStarted);
      expect(applied - createdAt).toBeGreaterThanOrEqual(4000);
      // The record's resources list the mount targets, not the step's clock
      expect(outcome.record.resources).not.toHaveProperty('createdAt');
    } finally {
      process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '0';
    }
  });

  it('retries a step that did its work and then timed out, without creating anything twice', async () => {
    // Prepare: every creating step does its work, then fails once as Lambda reports a timeout
    // (Sandbox.Timedout) or another runtime failure (Lambda.Unknown, as Step Functions names
    // it for a function ARN Task)
    const creating = new Set([
      'CreateSecurityGroup',
      'CreateFileSystem',
      'CreateMountTargets',
      'CreateAccessPoint',
      'ApplyManifests',
    ]);
    const failedOnce = new Set<string>();
    const timeoutAfterWork = (functionName: string, handler: TaskHandler): TaskHandler =>
      creating.has(functionName)
        ? async (input) => {
            const result = await handler(input);
            if (failedOnce.has(functionName)) return result;
            failedOnce.add(functionName);
            const runtimeError = failedOnce.size % 2 === 1 ? 'Sandbox.Timedout' : 'Lambda.Unknown';
            throw Object.assign(new Error(`${functionName}: Task timed out after 90.00 seconds`), {
              name: runtimeError,
            });
          }
        : handler;

    // Act
    const outcome = await provision(
      records,
      { clusterName: cluster.seeded.name },
      { wrap: timeoutAfterWork },
    );

    // Assess: retried, READY, one of everything
    expect(failedOnce).toEqual(creating);
    expect(outcome.events.filter((event) => event.type === 'StateRetried')).toHaveLength(
      creating.size,
    );
    expect(outcome.record.status).toBe('READY');
    const left = await awsLeftovers(outcome.volumeId);
    expect(left.filter((id) => id.startsWith('FileSystem/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('SecurityGroup/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('AccessPoint/'))).toHaveLength(1);
    expect(left.filter((id) => id.startsWith('MountTarget/'))).toHaveLength(3);
    // Its PersistentVolume and claim once each (the StorageClass is the cluster's, made by
    // whichever volume came first)
    const kube = kubeLeftovers(cluster.emulator, outcome.volumeId);
    expect(kube.filter((id) => id.startsWith('PersistentVolume/'))).toHaveLength(1);
    expect(kube.filter((id) => id.startsWith('PersistentVolumeClaim/'))).toHaveLength(1);
  });
});
