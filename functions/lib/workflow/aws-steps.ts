import { deleteAccessPoint, ensureAccessPoint } from '../aws/access-point.ts';
import type { AccessPointResult, DeferredAccessPoint } from '../aws/access-point-result.ts';
import { type ClusterNetwork, describeClusterNetwork } from '../aws/cluster.ts';
import {
  assertFileSystemAvailable,
  deleteOwnFileSystem,
  ensureFileSystem,
  type FileSystemResult,
  takeOverPooledFileSystem,
} from '../aws/file-system.ts';
import { putAccessPointOnlyPolicy } from '../aws/file-system-policy.ts';
import {
  ensureMountTargets,
  type MountTargetsResult,
  mountTargetsGone,
  readMountTargets,
  startDeletingMountTargets,
} from '../aws/mount-targets.ts';
import { ensureNamespaceClientGroup } from '../aws/namespace-clients.ts';
import { restoredRootPath } from '../aws/restore-directory.ts';
import {
  deleteSecurityGroup,
  ensureSecurityGroup,
  takeOverPooledSecurityGroup,
} from '../aws/security-group.ts';
import { RECLAIM_POLICY_TAG, stackName, volumeTags } from '../aws/tags.ts';
import type { ServiceSettings } from '../config.ts';
import { CleanupError, ClusterConfigurationError, MountTargetsTimeoutError } from '../errors.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import {
  decideFileSystemDisposal,
  type FileSystemDisposal,
  fileSystemIdOf,
  keepsOwnFileSystem,
  otherAccessPoints,
} from './file-system-disposal.ts';
import { PROVISIONING_STEP, runStep, workflowTransition } from './run-step.ts';
import { required, type StepState, type WaitProgress } from './state.ts';

/**
 * Provisioning steps move the volume to PROVISIONING; the same step in a deletion does not,
 * and in a repair it requires REPAIRING.
 */
function provisioningTransition(state: StepState) {
  return workflowTransition(state.operation);
}

/**
 * Describes the cluster's network; nothing is created, so an unknown cluster fails here
 * first. Its endpoint and CA stay out of the state: each Kubernetes step describes them anew.
 */
export function resolveCluster(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'eks' | 'ec2' | 'records'>,
): Promise<ClusterNetwork> {
  return runStep(
    deps.records,
    state.volumeId,
    'ResolveCluster',
    async () => ({ result: await describeClusterNetwork(deps, state.spec.clusterName) }),
    provisioningTransition(state),
  );
}

/** CreateSecurityGroup's result: the ASL puts it at `$.securityGroup`. */
export interface SecurityGroupResult {
  /** The volume's mount targets' group; '' on a shared file system (its mount targets exist). */
  readonly securityGroupId: string;
  /** With namespace network isolation: the group the namespace's pods carry. */
  readonly clientSecurityGroupId?: string;
}

/**
 * Creates the volume's NFS security group. With namespace network isolation on, first the
 * namespace's client group (shared by the namespace's volumes), which the group then admits
 * alone; ApplyManifests puts it on the namespace's pods.
 *
 * @throws ClusterConfigurationError with isolation on and no cluster security group: pods
 *   given only the client group would lose their cluster networking
 */
export function createSecurityGroup(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'ec2' | 'records' | 'settings'>,
): Promise<SecurityGroupResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateSecurityGroup',
    async () => {
      const cluster = required(state.cluster, 'cluster');
      const clientSecurityGroupId = deps.settings.namespaceNetworkIsolation
        ? await namespaceClientGroup(deps, cluster, state.spec.namespace)
        : undefined;
      const clients = clientSecurityGroupId ? { clientSecurityGroupId } : {};
      // A shared file system's mount targets exist already: no group to create.
      if (state.spec.fileSystemId) {
        return { result: { securityGroupId: '', ...clients }, resources: clients };
      }
      const tags = volumeTags(state.volumeId, state.spec);
      // A warm pool member's group (made under this volume's id) becomes the volume's.
      if (state.fileSystemSource === 'pool') {
        await takeOverPooledSecurityGroup(deps.ec2, state.volumeId, tags);
      }
      const securityGroupId = await ensureSecurityGroup(
        deps.ec2,
        state.volumeId,
        cluster,
        tags,
        clientSecurityGroupId,
      );
      return {
        result: { securityGroupId, ...clients },
        resources: { securityGroupId, ...clients },
      };
    },
    provisioningTransition(state),
  );
}

async function namespaceClientGroup(
  deps: Pick<AwsStepDependencies, 'ec2'>,
  cluster: ClusterNetwork,
  namespace: string,
): Promise<string> {
  if (!cluster.clusterSecurityGroupId) {
    throw new ClusterConfigurationError(
      `EKS cluster "${cluster.name}" has no cluster security group: namespace network isolation needs it to keep on the pods it adds a group to`,
    );
  }
  return ensureNamespaceClientGroup(deps.ec2, { cluster, namespace, stack: stackName() });
}

export function createFileSystem(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records' | 'settings'>,
): Promise<FileSystemResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateFileSystem',
    async () => {
      const tags = [
        ...volumeTags(state.volumeId, state.spec),
        // Read by the last volume to leave the file system, if others share it later.
        { Key: RECLAIM_POLICY_TAG, Value: state.spec.reclaimPolicy },
      ];
      // A restored file system is AWS Backup's, made and tagged by the restore steps.
      if (state.spec.restoreFrom) {
        const fileSystemId = required(state.restoreWait?.fileSystemId, 'restoreWait.fileSystemId');
        return {
          result: { fileSystemId, shared: false },
          resources: { fileSystemId, fileSystemShared: false },
        };
      }
      // A warm pool member's file system was made under this volume's id: taken over. If it
      // went meanwhile, a new one is made as for any volume.
      const pooled =
        state.fileSystemSource === 'pool'
          ? await takeOverPooledFileSystem(deps.efs, state.volumeId, tags)
          : undefined;
      const result: FileSystemResult = pooled
        ? { fileSystemId: pooled, shared: false }
        : await ensureFileSystem(
            deps.efs,
            state.volumeId,
            state.spec,
            tags,
            deps.settings.kmsKeyId,
          );
      return {
        result,
        resources: { fileSystemId: result.fileSystemId, fileSystemShared: result.shared },
      };
    },
    PROVISIONING_STEP,
  );
}

/** Throws FileSystemNotReadyError until the file system is available; the ASL retries it. */
export function createMountTargets(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
  now: () => Date = () => new Date(),
): Promise<MountTargetsResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateMountTargets',
    async () => {
      const fileSystem = required(state.fileSystem, 'fileSystem');
      if (!fileSystem.shared) {
        // The policy comes before the first mount target: a file system is never reachable
        // without it (EFS answers PutFileSystemPolicy only once the file system is available).
        await assertFileSystemAvailable(deps.efs, fileSystem.fileSystemId);
        await putAccessPointOnlyPolicy(deps.efs, {
          fileSystemId: fileSystem.fileSystemId,
          stack: stackName(),
        });
      }
      const result = await ensureMountTargets(
        deps.efs,
        fileSystem.fileSystemId,
        required(state.cluster, 'cluster'),
        required(state.securityGroup, 'securityGroup').securityGroupId,
        { shared: fileSystem.shared },
      );
      // Every mount target exists by now: the DNS delay is counted from this moment, or, when
      // they all came with a warm pool member, from when the pool made them.
      const pooledAt = state.pool?.mountTargetsCreatedAt;
      const createdAt =
        pooledAt && (result.createdNow ?? []).length === 0 ? pooledAt : now().toISOString();
      const { createdNow: _, ...made } = result;
      return { result: { ...made, createdAt }, resources: { ...made } };
    },
    provisioningTransition(state),
  );
}

export function createAccessPoint(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<AccessPointResult | DeferredAccessPoint> {
  return runStep<AccessPointResult | DeferredAccessPoint>(
    deps.records,
    state.volumeId,
    'CreateAccessPoint',
    async () => {
      const fileSystem = required(state.fileSystem, 'fileSystem');
      // On a restored file system the volume's data is under AWS Backup's directory, which
      // FindRestoreDirectory finds there (no AWS API names it) once the mount targets are
      // ready: until then, nothing to make (the workflow comes back here from that step; the
      // others' access point is made while their mount targets become available).
      const restoreDirectory = state.spec.restoreFrom
        ? state.restoreListing?.restoreDirectory
        : undefined;
      if (state.spec.restoreFrom && !restoreDirectory) {
        return { result: { deferredUntil: 'FindRestoreDirectory' } };
      }
      const spec = restoreDirectory
        ? {
            ...state.spec,
            rootDirectory: {
              ...state.spec.rootDirectory,
              path: restoredRootPath(restoreDirectory, state.spec.rootDirectory.path),
            },
          }
        : state.spec;
      const accessPointId = await ensureAccessPoint(
        deps.efs,
        state.volumeId,
        fileSystem.fileSystemId,
        spec,
        volumeTags(state.volumeId, state.spec),
      );
      // Puts the policy again (it is the same document, unless this access point's user is
      // root): a file system of this stack's that lost its policy gets it back; someone
      // else's shared one is left alone.
      await putAccessPointOnlyPolicy(deps.efs, {
        fileSystemId: fileSystem.fileSystemId,
        ...(state.spec.posixUser.uid === 0 ? { rootAccessPointId: accessPointId } : {}),
        stack: stackName(),
      });
      return { result: { accessPointId }, resources: { accessPointId } };
    },
    PROVISIONING_STEP,
  );
}

/** Sleeps inside an invocation; the bench passes one that advances its simulated clock. */
export type Sleep = (seconds: number) => Promise<void>;

const sleepFor: Sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * The state machine's wait after a check that found the mount targets not ready: the first
 * check comes right after their creation, so the first wait covers most of their typical
 * creation time; later checks have already looked ahead, so the poll interval.
 */
export function mountTargetWaitSeconds(
  checks: number,
  settings: Pick<ServiceSettings, 'mountTargetFirstWaitSeconds' | 'mountTargetPollSeconds'>,
): number {
  return checks === 1 ? settings.mountTargetFirstWaitSeconds : settings.mountTargetPollSeconds;
}

/**
 * How long a check keeps looking inside its invocation: not on the first check (right after
 * the creation, minutes early: Lambda time would be wasted), then the look-ahead window.
 */
export function mountTargetLookAheadSeconds(
  checks: number,
  settings: Pick<ServiceSettings, 'mountTargetLookAheadSeconds'>,
): number {
  return checks === 1 ? 0 : settings.mountTargetLookAheadSeconds;
}

/**
 * What is left of the DNS delay of mount targets created at `createdAt` (all of it when that
 * is unknown), in whole seconds: 0 once it has passed.
 */
export function dnsDelayLeftSeconds(
  createdAt: string | undefined,
  now: Date,
  settings: Pick<ServiceSettings, 'mountTargetDnsDelaySeconds'>,
): number {
  const created = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  const since = Number.isNaN(created) ? 0 : Math.max(0, (now.getTime() - created) / 1000);
  return Math.max(0, Math.ceil(settings.mountTargetDnsDelaySeconds - since));
}

/**
 * One check of the mount targets. Not ready: the state machine waits `waitSeconds` (first
 * the typical creation time, then the poll interval) and asks again. From the second check
 * on, the check first keeps looking every `mountTargetLookIntervalSeconds` for up to
 * `mountTargetLookAheadSeconds`, because near the expected ready time a few seconds of
 * Lambda cost less than Choice/Wait/Check rounds and see readiness within a second (the
 * bench's mount-target wait model compares both in money).
 * Ready: the volume still waits out what is left of the DNS propagation delay, in one Wait.
 * AWS advises waiting 90 s after creating a mount target before mounting it by DNS name, so
 * the delay counts from their creation (`mountTargets.createdAt`), not from the check that
 * found them available: they take a minute or more to turn available, and most of the delay
 * has passed by then. A state without `createdAt` (an execution started by an earlier
 * version) waits the whole delay, as it did.
 */
export function checkMountTargets(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records' | 'settings'>,
  now: () => Date = () => new Date(),
  sleep: Sleep = sleepFor,
): Promise<WaitProgress> {
  return runStep<WaitProgress>(
    deps.records,
    state.volumeId,
    'CheckMountTargets',
    async () => {
      const previous = state.mountTargetsWait;
      const checks = (previous?.checks ?? 0) + 1;
      const settings = deps.settings;
      let availableAt = previous?.availableAt;
      if (!availableAt) {
        const { mountTargetIds } = required(state.mountTargets, 'mountTargets');
        const fileSystemId = required(state.fileSystem, 'fileSystem').fileSystemId;
        // The first look may come right after their creation, before EFS lists them.
        const look = async () =>
          (
            await readMountTargets(deps.efs, fileSystemId, mountTargetIds, {
              missingIsPending: checks === 1,
            })
          ).ready;
        const started = now().getTime();
        const window = mountTargetLookAheadSeconds(checks, settings) * 1000;
        const interval = settings.mountTargetLookIntervalSeconds;
        let ready = await look();
        // Stop before the window would be overrun: the Lambda's timeout is not far beyond it.
        while (!ready && interval > 0 && now().getTime() - started + interval * 1000 <= window) {
          await sleep(interval);
          ready = await look();
        }
        if (!ready) {
          if (checks >= settings.mountTargetMaxChecks) {
            throw new MountTargetsTimeoutError(
              `mount targets not available after ${checks} checks`,
            );
          }
          const waitSeconds = mountTargetWaitSeconds(checks, settings);
          return { result: { done: false, waitSeconds, checks } };
        }
        availableAt = now().toISOString();
      }
      // The delay is one Wait state, trusted once it has run (a Wait lasts at least its
      // seconds): not re-measured on this Lambda's clock, so local mode can scale the Wait.
      const remaining = previous?.availableAt
        ? 0
        : dnsDelayLeftSeconds(state.mountTargets?.createdAt, now(), settings);
      const done = remaining <= 0;
      return { result: { done, waitSeconds: done ? 0 : remaining, checks, availableAt } };
    },
    provisioningTransition(state),
  );
}

// ---- rollback: each delete finds what exists by tag or token, so it is idempotent and
// ---- also catches what a step created just before it failed.

/** A deletion of a volume whose record keeps the file system, its mount targets and group. */
function keepsFileSystem(state: StepState): boolean {
  return state.operation === 'deprovision' && state.retainFileSystem === true;
}

/**
 * What the access point step decided (DeleteAccessPoint's result, in a deletion or a
 * rollback), or, when that step did not run to the end, the decision made now.
 */
async function disposalOf(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<FileSystemDisposal> {
  const decided = state.deletedAccessPoint ?? state.rollbackAccessPoint;
  if (decided?.disposal) return decided.disposal;
  return decideFileSystemDisposal(state, deps, keepsFileSystem(state));
}

/**
 * The decision to remove, confirmed right before something is destroyed: a volume may have
 * put an access point on the file system since it was taken. Such a file system is kept.
 */
async function confirmedDisposal(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<FileSystemDisposal> {
  const disposal = await disposalOf(state, deps);
  if (!disposal.remove || !disposal.fileSystemId) return disposal;
  const others = await otherAccessPoints(deps.efs, disposal.fileSystemId, state.volumeId);
  if (others.length === 0) return disposal;
  return {
    ...disposal,
    remove: false,
    keptBecause: `file system ${disposal.fileSystemId} still holds access points of other volumes: ${others.join(', ')}`,
    otherAccessPointIds: others,
  };
}

/** DeleteAccessPoint's result: the deprovision ASL's RetainFileSystem? choice reads it. */
export interface AccessPointDeletion {
  readonly accessPointId: string | null;
  /** True: the file system, its mount targets and security group stay. */
  readonly retainFileSystem: boolean;
  readonly disposal: FileSystemDisposal;
}

/**
 * Deletes the volume's access point, then decides from what is left on the file system
 * whether the file system goes (file-system-disposal.ts): a file system that still holds
 * another volume's access point is never deleted, whoever created it.
 */
export function rollbackAccessPoint(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<AccessPointDeletion> {
  return runStep(deps.records, state.volumeId, 'DeleteAccessPoint', async () => {
    const fileSystemId = await fileSystemIdOf(state, deps);
    const accessPointId = fileSystemId
      ? await deleteAccessPoint(deps.efs, fileSystemId, state.volumeId)
      : undefined;
    const disposal = await decideFileSystemDisposal(state, deps, keepsFileSystem(state));
    return {
      result: {
        accessPointId: accessPointId ?? null,
        // Skips the mount-target, file-system and group deletions; a file system that is
        // already gone is not retained (its volume's group may still need deleting).
        retainFileSystem: disposal.keptBecause !== null,
        disposal,
      },
    };
  });
}

/**
 * Starts deleting the file system's mount targets when the file system goes; when it stays,
 * none (they serve its other volumes, or its retained data).
 */
export function rollbackMountTargets(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'ec2' | 'records'>,
): Promise<{ mountTargetIds: string[] }> {
  return runStep(deps.records, state.volumeId, 'DeleteMountTargets', async () => {
    const disposal = await confirmedDisposal(state, deps);
    if (!disposal.remove || !disposal.fileSystemId) return { result: { mountTargetIds: [] } };
    const mountTargetIds = await startDeletingMountTargets(deps.efs, disposal.fileSystemId, {
      shared: false,
      securityGroupId: undefined,
    });
    return { result: { mountTargetIds } };
  });
}

/** One check that the mount targets being deleted are gone; the state machine waits between. */
export function checkMountTargetsDeleted(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records' | 'settings'>,
): Promise<WaitProgress> {
  return runStep(deps.records, state.volumeId, 'CheckMountTargetsDeleted', async () => {
    const checks = (state.mountTargetsDeletedWait?.checks ?? 0) + 1;
    const ids = state.mountTargetsDeletion?.mountTargetIds ?? [];
    const fileSystemId = (await disposalOf(state, deps)).fileSystemId;
    const gone =
      !fileSystemId || ids.length === 0 || (await mountTargetsGone(deps.efs, fileSystemId, ids));
    if (!gone && checks >= deps.settings.mountTargetMaxChecks) {
      throw new CleanupError(`mount targets ${ids.join(', ')} still exist after ${checks} checks`);
    }
    return {
      result: { done: gone, waitSeconds: gone ? 0 : deps.settings.mountTargetPollSeconds, checks },
    };
  });
}

/**
 * Deletes the file system when the disposal says it goes (the volume's own, or the one whose
 * last access point this volume held); never one that holds another volume's access point.
 */
export function rollbackFileSystem(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<{ fileSystemId: string | null }> {
  return runStep(deps.records, state.volumeId, 'DeleteFileSystem', async () => {
    const disposal = await confirmedDisposal(state, deps);
    if (!disposal.remove || !disposal.fileSystemId || !disposal.creatorVolumeId)
      return { result: { fileSystemId: null } };
    const fileSystemId = await deleteOwnFileSystem(deps.efs, disposal.creatorVolumeId);
    return { result: { fileSystemId: fileSystemId ?? null } };
  });
}

/**
 * Deletes the volume's security group, unless the file system it serves stays; when the file
 * system that goes was another volume's, that volume's group goes too (its mount targets are
 * gone). Reads the disposal from the state only: this step's role reads no EFS.
 */
export function rollbackSecurityGroup(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'ec2' | 'records'>,
): Promise<{ securityGroupId: string | null }> {
  return runStep(deps.records, state.volumeId, 'DeleteSecurityGroup', async () => {
    const disposal = (state.deletedAccessPoint ?? state.rollbackAccessPoint)?.disposal;
    // A kept file system's mount targets still use its creator's group.
    const keptOwn =
      disposal !== undefined
        ? keepsOwnFileSystem(disposal, state.volumeId)
        : keepsFileSystem(state);
    if (keptOwn) return { result: { securityGroupId: null } };
    const owners = new Set([state.volumeId]);
    if (disposal?.remove && disposal.creatorVolumeId) owners.add(disposal.creatorVolumeId);
    let deleted: string | undefined;
    for (const owner of owners) {
      deleted = (await deleteSecurityGroup(deps.ec2, owner)) ?? deleted;
    }
    return { result: { securityGroupId: deleted ?? null } };
  });
}
