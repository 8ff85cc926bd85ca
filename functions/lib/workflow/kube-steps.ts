import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { ServiceSettings } from '../config.ts';
import { ClaimNotBoundError } from '../errors.ts';
import {
  type AppliedManifests,
  applySecurityGroupPolicy,
  applyVolumeManifests,
  claimPhase,
  deleteVolumeManifests,
} from '../kube/apply.ts';
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
        accessPointId:
          state.resources?.accessPointId ??
          required(state.accessPoint, 'accessPoint').accessPointId,
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
        result: { done: bound, waitSeconds: bound ? 0 : deps.settings.claimPollSeconds, checks },
      };
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
    return { result: { deleted: await deleteVolumeManifests(api, state.volumeId, state.spec) } };
  });
}
