import { randomBytes } from 'node:crypto';
import type { ClusterDescription } from '../aws/cluster.ts';
import { checkVolumeHealth } from '../health/check.ts';
import { problems } from '../problems/problem.ts';
import { allowedFrom } from '../volume/lifecycle.ts';
import { toVolume, type Volume } from '../volume/record.ts';
import { startExecution } from '../workflow/workflow-start.ts';
import { authorize } from './access-policy.ts';
import type { VolumeServiceDependencies } from './create-volume.ts';
import { asProblem, busyWhenChanged } from './service-errors.ts';
import { visibleRecord } from './volume-access.ts';

/**
 * POST /volumes/{id}/repair: checks the volume now and, unless a finding says data is gone
 * (a deleted file system or access point: 422 with the findings, nothing touched), moves it
 * to REPAIRING and starts the repair workflow (202). Only a READY volume is repaired; one
 * being repaired, provisioned or deleted answers 409. A volume found HEALTHY is repaired all
 * the same: the workflow also puts back what the check does not look at (the StorageClass,
 * the CSIDriver, a changed field of the PersistentVolume), and changes nothing otherwise.
 *
 * Authorized as creating a volume in the namespace is, not as deleting: a repair changes no
 * data and puts back only what the volume had, so any caller the namespace's rules admit may
 * restore it (its owner may have left the team whose pods need it).
 *
 * With `verifyMount`, the repair ends with the VerifyMount step (a Job mounts the claim), and a
 * mount that fails fails the repair.
 */
export async function repairVolume(
  deps: VolumeServiceDependencies,
  id: string,
  options: { caller: string; verifyMount?: boolean },
): Promise<Volume> {
  try {
    const record = await visibleRecord(deps, id, options.caller);
    const decision = authorize(deps.policy, options.caller, record.clusterName, record.namespace);
    if (!decision.allowed) throw problems.forbidden(decision.reason);
    const repairable = allowedFrom('repairRequested');
    if (!repairable.includes(record.status)) {
      throw problems.volumeBusy(
        `volume ${id} is ${record.status}; only a ${repairable.join(' or ')} volume is repaired${record.status === 'REPAIRING' ? ' (a repair is running)' : ''}`,
      );
    }
    const health = await checkVolumeHealth(
      {
        eks: deps.eks,
        ec2: deps.ec2,
        efs: deps.efs,
        // The check hands over what describeCluster gave it: a whole ClusterDescription.
        kubernetes: (cluster) => deps.kubernetes(cluster as ClusterDescription),
      },
      record,
    );
    const lost = health.findings.filter((finding) => !finding.repairable);
    if (lost.length > 0) {
      throw problems.volumeNotRepairable(
        `volume ${id} cannot be repaired without losing data or changing what pods mount: ${lost.map((finding) => finding.problem).join('; ')}. Nothing was changed; delete the volume and create a new one`,
        lost,
      );
    }
    const executionName = `${id}-repair-${randomBytes(4).toString('hex')}`;
    const repairing = await busyWhenChanged(id, () =>
      deps.records.beginRepair(id, executionName, health),
    );
    try {
      await startExecution(deps, deps.settings.repairStateMachineArn, executionName, {
        volumeId: id,
        operation: 'repair',
        // The repair's own choice, not the spec's: a repair proves the mount only when asked.
        ...(options.verifyMount ? { verifyMount: true } : {}),
      });
    } catch (error) {
      // Not started: the volume is READY again, the repair FAILED, and the caller may retry.
      await deps.records.endRepair(id, executionName, {
        status: 'FAILED',
        error: {
          step: 'StartRepair',
          name: (error as Error).name ?? 'Error',
          message: String((error as Error).message ?? error).slice(0, 1000),
        },
      });
      throw error;
    }
    return toVolume(repairing);
  } catch (error) {
    return asProblem(error);
  }
}
