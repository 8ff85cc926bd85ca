import { deleteAccessPoint, ensureAccessPoint } from '../aws/access-point.ts';
import type { AccessPointResult } from '../aws/access-point-result.ts';
import { type ClusterNetwork, describeClusterNetwork } from '../aws/cluster.ts';
import {
  deleteOwnFileSystem,
  ensureFileSystem,
  type FileSystemResult,
  findOwnFileSystem,
} from '../aws/file-system.ts';
import { putAccessPointOnlyPolicy } from '../aws/file-system-policy.ts';
import {
  ensureMountTargets,
  type MountTargetsResult,
  mountTargetsGone,
  readMountTargets,
  startDeletingMountTargets,
} from '../aws/mount-targets.ts';
import {
  deleteSecurityGroup,
  ensureSecurityGroup,
  findSecurityGroup,
} from '../aws/security-group.ts';
import { stackName, volumeTags } from '../aws/tags.ts';
import type { ServiceSettings } from '../config.ts';
import { CleanupError, MountTargetsTimeoutError } from '../errors.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import { PROVISIONING_STEP, runStep, workflowTransition } from './run-step.ts';
import { type ProvisionState, required, type WaitProgress } from './state.ts';

/**
 * Provisioning steps move the volume to PROVISIONING; the same step in a deletion does not,
 * and in a repair it requires REPAIRING.
 */
function provisioningTransition(state: ProvisionState) {
  return workflowTransition(state.operation);
}

/**
 * Describes the cluster's network; nothing is created, so an unknown cluster fails here
 * first. Its endpoint and CA stay out of the state: each Kubernetes step describes them anew.
 */
export function resolveCluster(
  state: ProvisionState,
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

export function createSecurityGroup(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'ec2' | 'records'>,
): Promise<{ securityGroupId: string }> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateSecurityGroup',
    async () => {
      // A shared file system's mount targets exist already: no group to create.
      if (state.spec.fileSystemId) return { result: { securityGroupId: '' } };
      const cluster = required(state.cluster, 'cluster');
      const securityGroupId = await ensureSecurityGroup(
        deps.ec2,
        state.volumeId,
        cluster,
        volumeTags(state.volumeId, state.spec),
      );
      return { result: { securityGroupId }, resources: { securityGroupId } };
    },
    provisioningTransition(state),
  );
}

export function createFileSystem(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records' | 'settings'>,
): Promise<FileSystemResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateFileSystem',
    async () => {
      const result = await ensureFileSystem(
        deps.efs,
        state.volumeId,
        state.spec,
        volumeTags(state.volumeId, state.spec),
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
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<MountTargetsResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateMountTargets',
    async () => {
      const fileSystem = required(state.fileSystem, 'fileSystem');
      const result = await ensureMountTargets(
        deps.efs,
        fileSystem.fileSystemId,
        required(state.cluster, 'cluster'),
        required(state.securityGroup, 'securityGroup').securityGroupId,
        { shared: fileSystem.shared },
      );
      return { result, resources: { ...result } };
    },
    provisioningTransition(state),
  );
}

export function createAccessPoint(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<AccessPointResult> {
  return runStep(
    deps.records,
    state.volumeId,
    'CreateAccessPoint',
    async () => {
      const fileSystem = required(state.fileSystem, 'fileSystem');
      const accessPointId = await ensureAccessPoint(
        deps.efs,
        state.volumeId,
        fileSystem.fileSystemId,
        state.spec,
        volumeTags(state.volumeId, state.spec),
      );
      // Confines the file system to its volumes' access points when this stack created it
      // (also when a later volume names it as shared); someone else's is left alone.
      await putAccessPointOnlyPolicy(deps.efs, {
        fileSystemId: fileSystem.fileSystemId,
        accessPointId,
        rootUser: state.spec.posixUser.uid === 0,
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
 * One check of the mount targets. Not ready: the state machine waits `waitSeconds` (first
 * the typical creation time, then the poll interval) and asks again. From the second check
 * on, the check first keeps looking every `mountTargetLookIntervalSeconds` for up to
 * `mountTargetLookAheadSeconds`, because near the expected ready time a few seconds of
 * Lambda cost less than Choice/Wait/Check rounds and see readiness within a second (the
 * bench's mount-target wait model compares both in money).
 * Ready: the volume still waits out the DNS propagation delay, counted from the first check
 * that found every mount target available, in one Wait.
 */
export function checkMountTargets(
  state: ProvisionState,
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
      const remaining = previous?.availableAt ? 0 : Math.ceil(settings.mountTargetDnsDelaySeconds);
      const done = remaining <= 0;
      return { result: { done, waitSeconds: done ? 0 : remaining, checks, availableAt } };
    },
    provisioningTransition(state),
  );
}

// ---- rollback: each delete finds what exists by tag or token, so it is idempotent and
// ---- also catches what a step created just before it failed.

/**
 * The file system whose parts rollback deletes: the shared one the spec names, the one the
 * record lists, or the one carrying the volume's CreationToken. Never one the state names.
 */
async function fileSystemIdOf(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs'>,
): Promise<string | undefined> {
  return (
    state.spec.fileSystemId ??
    state.resources?.fileSystemId ??
    (await findOwnFileSystem(deps.efs, state.volumeId))?.FileSystemId
  );
}

/** A deletion of a volume whose record keeps the file system, its mount targets and group. */
function keepsFileSystem(state: ProvisionState): boolean {
  return state.operation === 'deprovision' && state.retainFileSystem === true;
}

export function rollbackAccessPoint(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<{ accessPointId: string | null; retainFileSystem: boolean }> {
  return runStep(deps.records, state.volumeId, 'DeleteAccessPoint', async () => {
    const fileSystemId = await fileSystemIdOf(state, deps);
    const accessPointId = fileSystemId
      ? await deleteAccessPoint(deps.efs, fileSystemId, state.volumeId)
      : undefined;
    // The deprovision ASL's RetainFileSystem? choice reads the record's decision from here.
    return {
      result: { accessPointId: accessPointId ?? null, retainFileSystem: keepsFileSystem(state) },
    };
  });
}

export function rollbackMountTargets(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'ec2' | 'records'>,
): Promise<{ mountTargetIds: string[] }> {
  return runStep(deps.records, state.volumeId, 'DeleteMountTargets', async () => {
    if (keepsFileSystem(state)) return { result: { mountTargetIds: [] } };
    const fileSystemId = await fileSystemIdOf(state, deps);
    if (!fileSystemId) return { result: { mountTargetIds: [] } };
    const mountTargetIds = await startDeletingMountTargets(deps.efs, fileSystemId, {
      shared: state.spec.fileSystemId !== undefined,
      securityGroupId: await findSecurityGroup(deps.ec2, state.volumeId),
    });
    return { result: { mountTargetIds } };
  });
}

/** One check that the mount targets being deleted are gone; the state machine waits between. */
export function checkMountTargetsDeleted(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records' | 'settings'>,
): Promise<WaitProgress> {
  return runStep(deps.records, state.volumeId, 'CheckMountTargetsDeleted', async () => {
    const checks = (state.mountTargetsDeletedWait?.checks ?? 0) + 1;
    const ids = state.mountTargetsDeletion?.mountTargetIds ?? [];
    const fileSystemId = await fileSystemIdOf(state, deps);
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

export function rollbackFileSystem(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'records'>,
): Promise<{ fileSystemId: string | null }> {
  return runStep(deps.records, state.volumeId, 'DeleteFileSystem', async () => {
    // A file system the request named is shared, a retained one keeps data: never deleted.
    if (state.spec.fileSystemId || keepsFileSystem(state))
      return { result: { fileSystemId: null } };
    const fileSystemId = await deleteOwnFileSystem(deps.efs, state.volumeId);
    return { result: { fileSystemId: fileSystemId ?? null } };
  });
}

export function rollbackSecurityGroup(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'ec2' | 'records'>,
): Promise<{ securityGroupId: string | null }> {
  return runStep(deps.records, state.volumeId, 'DeleteSecurityGroup', async () => {
    // A retained file system's mount targets still use the group.
    if (keepsFileSystem(state)) return { result: { securityGroupId: null } };
    const securityGroupId = await deleteSecurityGroup(deps.ec2, state.volumeId);
    return { result: { securityGroupId: securityGroupId ?? null } };
  });
}
