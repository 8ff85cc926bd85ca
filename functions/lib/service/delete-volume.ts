import { randomBytes } from 'node:crypto';
import { describeCluster } from '../aws/cluster.ts';
import { ClusterNotFoundError } from '../errors.ts';
import { problems } from '../problems/problem.ts';
import { allowedFrom, statusesOf } from '../volume/lifecycle.ts';
import { toVolume, type Volume } from '../volume/record.ts';
import { startExecution } from '../workflow/workflow-start.ts';
import { authorizeDelete } from './access-policy.ts';
import type { VolumeServiceDependencies } from './create-volume.ts';
import { asProblem, busyWhenChanged } from './service-errors.ts';
import { visibleRecord } from './volume-access.ts';

/** The statuses a DELETE starts a deletion from (functions/lib/volume/lifecycle.ts). */
const DELETABLE = allowedFrom('deleteRequested');
/** A deletion runs, or ran to its end: a DELETE answers the volume as it is. */
const BEING_DELETED = statusesOf(['deleted']);

/**
 * DELETE /volumes/{id}: refuses while a pod uses the claim (unless `force`), then starts the
 * deprovisioning workflow. Deleting a volume that is being or has been deleted answers it as
 * it is. A FAILED or ROLLBACK_FAILED volume is cleaned up by the same workflow. Only the
 * volume's owner, or a caller whose rule has `deleteOthers`, may delete it (403 otherwise).
 */
export async function deleteVolume(
  deps: VolumeServiceDependencies,
  id: string,
  options: { caller: string; force: boolean },
): Promise<Volume> {
  try {
    const record = await visibleRecord(deps, id, options.caller);
    // Reading is open to the namespace; deleting is the owner's, or a rule's with deleteOthers.
    const decision = authorizeDelete(deps.policy, options.caller, {
      clusterName: record.clusterName,
      namespace: record.namespace,
      owner: record.caller,
    });
    if (!decision.allowed) throw problems.forbidden(decision.reason);
    if (BEING_DELETED.includes(record.status)) return toVolume(record);
    if (!DELETABLE.includes(record.status)) {
      throw problems.volumeBusy(`volume ${id} is ${record.status}; delete it once that finishes`);
    }
    if (record.status === 'READY' && !options.force) {
      const cluster = await describeCluster(deps.eks, record.clusterName).catch((error) => {
        // A cluster that is gone runs no pods: deprovisioning removes the AWS resources.
        if (error instanceof ClusterNotFoundError) return undefined;
        throw error;
      });
      const pods = cluster
        ? await (await deps.kubernetes(cluster)).podsUsingClaim(record.namespace, record.name)
        : [];
      if (pods.length > 0) {
        throw problems.volumeInUse(
          `claim ${record.namespace}/${record.name} is used by pod(s) ${pods.join(', ')}; stop them or use ?force=true`,
        );
      }
    }
    const executionName = `${id}-delete-${randomBytes(4).toString('hex')}`;
    const deleting = await busyWhenChanged(id, () => deps.records.beginDeletion(id, executionName));
    try {
      // Ids only: the steps read the spec and the retain decision from the record, and run
      // only for the execution beginDeletion named there.
      await startExecution(deps, deps.settings.deprovisionStateMachineArn, executionName, {
        volumeId: id,
        operation: 'deprovision',
      });
    } catch (error) {
      // Not started: put the status back so the caller can simply retry the DELETE.
      await deps.records.setStatus(id, record.status);
      throw error;
    }
    return toVolume(deleting);
  } catch (error) {
    return asProblem(error);
  }
}
