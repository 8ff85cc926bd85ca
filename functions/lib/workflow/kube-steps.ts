import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { ServiceSettings } from '../config.ts';
import { ClaimNotBoundError, MountVerificationFailedError } from '../errors.ts';
import {
  type AppliedManifests,
  applySecurityGroupPolicy,
  applyVolumeManifests,
  claimPhase,
  deleteVolumeManifests,
} from '../kube/apply.ts';
import {
  buildMountCheckJob,
  createMountCheckJob,
  deleteMountCheckJob,
  describeMountCheckFailure,
  jobOutcome,
  mountCheckJobName,
  readMountCheckJob,
  reportMountCheckPods,
} from '../kube/mount-check.ts';
import { deleteRestoreListing } from '../kube/restore-listing.ts';
import type { VolumeRecordStore } from '../volume/record.ts';
import { runStep, workflowTransition } from './run-step.ts';
import { required, type StepState, type WaitProgress } from './state.ts';

/** What the Kubernetes steps need: only these functions bundle the Kubernetes client. */
export interface KubeStepDependencies {
  readonly records: VolumeRecordStore;
  readonly settings: ServiceSettings;
  /**
   * The object API of the named cluster, at the endpoint and with the CA that
   * eks:DescribeCluster gives at this call (never from the state).
   */
  readonly kubernetes: (clusterName: string) => Promise<KubernetesObjectApi>;
}

/**
 * Server-side applies CSIDriver, StorageClass, PersistentVolume and claim; first, when
 * CreateSecurityGroup made the namespace's client group (namespace network isolation), the
 * namespace's SecurityGroupPolicy, so a pod started on the claim already carries the group
 * the mount targets admit.
 */
export function applyManifests(
  state: StepState,
  deps: KubeStepDependencies,
): Promise<AppliedManifests> {
  return runStep(
    deps.records,
    state.volumeId,
    'ApplyManifests',
    async () => {
      const api = await deps.kubernetes(state.spec.clusterName);
      // From this execution's CreateSecurityGroup, not the record: a repair after isolation
      // was turned off must not put the policy back.
      const clientSecurityGroupId = state.securityGroup?.clientSecurityGroupId;
      const clusterSecurityGroupId = state.cluster?.clusterSecurityGroupId;
      // CreateSecurityGroup makes a client group only where the cluster has its own group.
      if (clientSecurityGroupId && clusterSecurityGroupId) {
        await applySecurityGroupPolicy(api, {
          namespace: state.spec.namespace,
          clientSecurityGroupId,
          clusterSecurityGroupId,
        });
      }
      const applied = await applyVolumeManifests(api, {
        volumeId: state.volumeId,
        spec: state.spec,
        // The record's ids first: it is the truth; the state's are the same when it is whole.
        fileSystemId:
          state.resources?.fileSystemId ?? required(state.fileSystem, 'fileSystem').fileSystemId,
        accessPointId: state.resources?.accessPointId ?? madeAccessPoint(state),
      });
      return { result: applied, resources: { ...applied } };
    },
    workflowTransition(state.operation),
  );
}

/** One check that the claim is Bound; the state machine waits between checks. */
export function checkClaimBound(
  state: StepState,
  deps: KubeStepDependencies,
): Promise<WaitProgress> {
  return runStep(
    deps.records,
    state.volumeId,
    'CheckClaimBound',
    async () => {
      const checks = (state.claimWait?.checks ?? 0) + 1;
      const api = await deps.kubernetes(state.spec.clusterName);
      const phase = await claimPhase(api, state.spec.namespace, state.spec.name);
      const bound = phase === 'Bound';
      if (
        !bound &&
        (phase === 'Lost' || phase === 'Missing' || checks >= deps.settings.claimMaxChecks)
      ) {
        throw new ClaimNotBoundError(
          `claim ${state.spec.namespace}/${state.spec.name} is ${phase} after ${checks} checks`,
        );
      }
      return {
        result: {
          done: bound,
          waitSeconds: bound ? 0 : deps.settings.claimPollSeconds,
          checks,
          ...(bound ? { verifyMount: mountToBeVerified(state) } : {}),
        },
      };
    },
    workflowTransition(state.operation),
  );
}

/** The access point CreateAccessPoint made (a restore's, once its directory was found). */
function madeAccessPoint(state: StepState): string {
  const accessPoint = required(state.accessPoint, 'accessPoint');
  if (!('accessPointId' in accessPoint)) {
    throw new Error(
      'the access point waits for FindRestoreDirectory: the state machine is miswired',
    );
  }
  return accessPoint.accessPointId;
}

/**
 * Whether this execution proves the mount: a repair when its request asked (the execution's
 * input), provisioning when the volume's spec says so (the request's or the stack's default).
 */
export function mountToBeVerified(state: StepState): boolean {
  return state.operation === 'repair'
    ? state.verifyMount === true
    : state.verifyMount === true || state.spec.verifyMount === true;
}

/**
 * How long past the Job's own deadline the step keeps looking before it gives up on a Job the
 * cluster never ended (its controller down, or no pod ever started).
 */
export const MOUNT_CHECK_GRACE_SECONDS = 60;

/**
 * One look at the mount check: the first creates the Job in the volume's namespace (a pod
 * mounts the claim, writes, reads back and removes a probe file); later ones read it. A Job
 * that succeeded is deleted and the step is done; one that failed, or outlived its deadline,
 * is described from its pod (state, termination message, events), deleted, and the step fails
 * with that description, so the volume rolls back (or the repair fails). The state machine
 * waits `waitSeconds` between looks.
 *
 * @throws MountVerificationFailedError with what the pod reported
 */
export function verifyMount(state: StepState, deps: KubeStepDependencies): Promise<WaitProgress> {
  return runStep(
    deps.records,
    state.volumeId,
    'VerifyMount',
    async () => {
      const checks = (state.mountCheck?.checks ?? 0) + 1;
      const { namespace, name } = state.spec;
      const settings = deps.settings.mountCheck;
      const api = await deps.kubernetes(state.spec.clusterName);
      const job = await readMountCheckJob(api, state.volumeId, namespace);
      const waiting = { done: false, waitSeconds: settings.pollSeconds, checks };
      if (!job) {
        if (checks > 1) {
          throw new MountVerificationFailedError(
            `mount check failed: Job ${namespace}/${state.volumeId} disappeared before it finished`,
          );
        }
        await createMountCheckJob(
          api,
          buildMountCheckJob({
            volumeId: state.volumeId,
            namespace,
            claimName: name,
            probe: state.executionName ?? state.volumeId,
            settings,
          }),
        );
        return { result: waiting };
      }
      const outcome = jobOutcome(job);
      if (outcome === 'succeeded') {
        await deleteMountCheckJob(api, state.volumeId, namespace);
        return { result: { done: true, waitSeconds: 0, checks } };
      }
      const overdue =
        (checks - 1) * settings.pollSeconds > settings.timeoutSeconds + MOUNT_CHECK_GRACE_SECONDS;
      if (outcome === 'running' && !overdue) return { result: waiting };
      const pods = await reportMountCheckPods(api, state.volumeId, namespace);
      await deleteMountCheckJob(api, state.volumeId, namespace);
      throw new MountVerificationFailedError(describeMountCheckFailure(job, pods));
    },
    workflowTransition(state.operation),
  );
}

/** Rollback: deletes the claim and PV, and the shared objects this volume created if unused. */
export function rollbackManifests(
  state: StepState,
  deps: KubeStepDependencies,
): Promise<{ deleted: string[] }> {
  return runStep(deps.records, state.volumeId, 'DeleteManifests', async () => {
    // Without a resolved cluster no step could have written to Kubernetes.
    if (!state.cluster) return { result: { deleted: [] } };
    const api = await deps.kubernetes(state.spec.clusterName);
    // A mount check this execution started and could not end (VerifyMount failed for good
    // between creating and deleting its Job) goes before the claim its pod uses.
    const jobDeleted =
      (state.mountCheck !== undefined || state.failedStep === 'VerifyMount') &&
      (await deleteMountCheckJob(api, state.volumeId, state.spec.namespace));
    // So does a restore listing this execution started (FindRestoreDirectory failed, or its
    // clean-up did not finish), or a restore's provisioning that ended unsettled may have
    // left; DeleteAccessPoint deletes its access point with the volume's.
    const listing =
      state.restoreListing !== undefined ||
      state.failedStep === 'FindRestoreDirectory' ||
      (state.failedProvision === true && state.spec.restoreFrom !== undefined)
        ? await deleteRestoreListing(api, state.volumeId, state.spec.namespace)
        : [];
    const deleted = await deleteVolumeManifests(api, state.volumeId, state.spec);
    const job = `Job/${state.spec.namespace}/${mountCheckJobName(state.volumeId)}`;
    return { result: { deleted: [...(jobDeleted ? [job] : []), ...listing, ...deleted] } };
  });
}
