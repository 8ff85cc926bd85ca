// The FindRestoreDirectory step of a restore: AWS Backup restored the recovery point into a
// directory `aws-backup-restore_<time>` off the new file system's root, and no AWS API returns
// its name, so a pod in the volume's namespace mounts that root and lists it. Runs once the
// mount targets are available and past their DNS delay, before CreateAccessPoint, which
// roots the volume's access point in the directory found.
import type { EFSClient } from '@aws-sdk/client-efs';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  deleteRestoreListingAccessPoint,
  ensureRestoreListingAccessPoint,
} from '../aws/access-point.ts';
import { volumeTags } from '../aws/tags.ts';
import { RestoreDirectoryNotFoundError } from '../errors.ts';
import { describeJobFailure, jobOutcome, readJob, reportJobPods } from '../kube/job.ts';
import {
  deleteRestoreListing,
  restoreDirectoryOfListing,
  restoreListingName,
  startRestoreListing,
} from '../kube/restore-listing.ts';
import type { KubeStepDependencies } from './kube-steps.ts';
import { PROVISIONING_STEP, runStep } from './run-step.ts';
import { type RestoreListing, required, type StepState } from './state.ts';

/** What the step needs: a Kubernetes step's, and EFS for the temporary access point. */
export interface RestoreListingDependencies extends KubeStepDependencies {
  readonly efs: EFSClient;
}

/**
 * How long past the Job's own deadline the step keeps looking before it gives up on a Job the
 * cluster never ended (its controller down, or no pod ever started).
 */
export const RESTORE_LISTING_GRACE_SECONDS = 60;

/**
 * Deletes everything the listing made: its Job (and pod), claim and PersistentVolume, then
 * the temporary access point. Gone is done.
 */
async function endRestoreListing(
  state: StepState,
  deps: RestoreListingDependencies,
  api: KubernetesObjectApi,
  fileSystemId: string,
): Promise<void> {
  await deleteRestoreListing(api, state.volumeId, state.spec.namespace);
  await deleteRestoreListingAccessPoint(deps.efs, fileSystemId, state.volumeId);
}

/**
 * One look at the restore listing. The first creates a temporary access point on the restored
 * file system (root `/`, a non-root user, the volume's tags and the listing's), a
 * PersistentVolume and claim through it, and a Job in the volume's namespace whose pod mounts
 * the claim read-only and writes the root's `aws-backup-restore_*` names to its termination
 * message; later looks read the Job until it ends. Succeeded: the message must name exactly
 * one such directory, which the result (and the record's `restoreDirectory`) carries. Either
 * way the Job, claim, PersistentVolume and access point are deleted before the step ends; the
 * state machine waits `waitSeconds` between looks.
 *
 * @throws RestoreDirectoryNotFoundError when the Job failed or outlived its deadline (with
 *   what its pod reported), or its pod found no such directory, or several
 */
export function findRestoreDirectory(
  state: StepState,
  deps: RestoreListingDependencies,
): Promise<RestoreListing> {
  return runStep<RestoreListing>(
    deps.records,
    state.volumeId,
    'FindRestoreDirectory',
    async () => {
      const checks = (state.restoreListing?.checks ?? 0) + 1;
      const { namespace } = state.spec;
      const settings = deps.settings.mountCheck;
      const fileSystemId = required(state.fileSystem, 'fileSystem').fileSystemId;
      const name = restoreListingName(state.volumeId);
      const api = await deps.kubernetes(state.spec.clusterName);
      const job = await readJob(api, name, namespace);
      const waiting = { done: false, waitSeconds: settings.pollSeconds, checks };
      if (!job) {
        if (checks > 1) {
          await endRestoreListing(state, deps, api, fileSystemId);
          throw new RestoreDirectoryNotFoundError(
            `restore listing failed: Job ${namespace}/${name} disappeared before it finished`,
          );
        }
        const accessPointId = await ensureRestoreListingAccessPoint(
          deps.efs,
          state.volumeId,
          fileSystemId,
          volumeTags(state.volumeId, state.spec),
        );
        await startRestoreListing(api, {
          volumeId: state.volumeId,
          namespace,
          fileSystemId,
          accessPointId,
          settings,
        });
        return { result: waiting };
      }
      const outcome = jobOutcome(job);
      const overdue =
        (checks - 1) * settings.pollSeconds >
        settings.timeoutSeconds + RESTORE_LISTING_GRACE_SECONDS;
      if (outcome === 'running' && !overdue) return { result: waiting };
      const pods = await reportJobPods(api, name, namespace);
      await endRestoreListing(state, deps, api, fileSystemId);
      if (outcome !== 'succeeded') {
        throw new RestoreDirectoryNotFoundError(
          describeJobFailure('restore listing failed', job, pods),
        );
      }
      const listed = pods.find((pod) => pod.phase === 'Succeeded') ?? pods[0];
      const restoreDirectory = restoreDirectoryOfListing(listed?.terminationMessage);
      return {
        result: { done: true, waitSeconds: 0, checks, restoreDirectory },
        resources: { restoreDirectory },
      };
    },
    PROVISIONING_STEP,
  );
}
