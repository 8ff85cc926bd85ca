import type { KubernetesReader } from '../kube/read-client.ts';
import { announceVolume } from '../volume/lifecycle-events.ts';
import type { LeftoverResource, VolumeFailure, VolumeRecord } from '../volume/record.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import { keepsOwnFileSystem } from './file-system-disposal.ts';
import { findLeftovers } from './leftovers.ts';
import { runStep, withClassifiedErrors } from './run-step.ts';
import type { CaughtError, StepState } from './state.ts';

/**
 * Step Functions gives a Lambda error's Cause as the JSON the runtime wrote
 * (`{"errorType","errorMessage","trace"}`); a local run gives the message itself.
 */
export function causeMessage(caught: CaughtError | undefined): string {
  const cause = caught?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause || (caught?.Error ?? 'unknown error');
}

/** Steps that record a failure rather than cause one. */
const RECORDING_STEPS = new Set([
  'BeginRollback',
  'RecordRollbackFailure',
  'RecordDeletionFailure',
]);

/**
 * The step that failed: the last one recorded FAILED, or still RUNNING (a Lambda timeout),
 * leaving out the steps that do the recording.
 */
export function failedStep(record: VolumeRecord | undefined): string {
  const candidates = Object.entries(record?.steps ?? {})
    .filter(([name, step]) => step.status !== 'SUCCEEDED' && !RECORDING_STEPS.has(name))
    .sort(([, a], [, b]) => a.startedAt.localeCompare(b.startedAt));
  return candidates.at(-1)?.[0] ?? 'unknown';
}

/** A caught error as the record shows it, naming the step it came from. */
export function failureOf(step: string, caught: CaughtError | undefined): VolumeFailure {
  return {
    step,
    name: caught?.Error ?? 'Error',
    message: causeMessage(caught).slice(0, 1000),
  };
}

type RecordDependencies = Pick<AwsStepDependencies, 'records' | 'events' | 'settings' | 'metrics'>;

/**
 * The volume is READY: its claim is Bound and its mount targets available. From now on it
 * holds data, so its reclaim policy decides, once and on the record, whether deleting it
 * keeps the file system (always, for a shared one).
 */
export function completeProvisioning(
  state: StepState,
  deps: RecordDependencies,
): Promise<{ volumeId: string; status: 'READY' }> {
  return runStep(deps.records, state.volumeId, 'CompleteProvisioning', async () => {
    const record = await deps.records.setStatus(state.volumeId, 'READY', {
      retainFileSystem:
        state.spec.fileSystemId !== undefined || state.spec.reclaimPolicy === 'Retain',
    });
    await announceVolume(deps, 'Volume Ready', record);
    deps.metrics.volumeStatus('READY');
    deps.metrics.timeToReady(record.createdAt, record.updatedAt);
    return { result: { volumeId: state.volumeId, status: 'READY' } };
  });
}

/** Records which step failed and why, and moves the volume to ROLLING_BACK. */
export function beginRollback(state: StepState, deps: RecordDependencies): Promise<VolumeFailure> {
  return runStep(deps.records, state.volumeId, 'BeginRollback', async () => {
    const record = await deps.records.get(state.volumeId);
    const error = failureOf(state.failedStep ?? failedStep(record), state.failure);
    await deps.records.setStatus(state.volumeId, 'ROLLING_BACK', { error });
    return { result: error };
  });
}

/** Rollback finished: nothing of the volume remains; it is FAILED with the original cause. */
export function completeRollback(
  state: StepState,
  deps: RecordDependencies,
): Promise<{ status: 'FAILED' }> {
  return runStep(deps.records, state.volumeId, 'CompleteRollback', async () => {
    const record = await deps.records.setStatus(state.volumeId, 'FAILED');
    await announceVolume(deps, 'Volume Provisioning Failed', record);
    deps.metrics.volumeStatus('FAILED');
    return { result: { status: 'FAILED' } };
  });
}

/** Rollback could not finish: the record lists every resource that is still there. */
export async function recordRollbackFailure(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'records' | 'efs' | 'ec2' | 'events' | 'settings' | 'metrics'>,
  kubernetes: KubernetesReader | undefined,
): Promise<{ status: 'ROLLBACK_FAILED'; leftovers: number }> {
  return withClassifiedErrors(async () => {
    const record = await deps.records.get(state.volumeId);
    const leftovers = await findLeftovers(state, deps, kubernetes, record?.resources);
    const updated = await deps.records.setStatus(state.volumeId, 'ROLLBACK_FAILED', {
      rollbackError: failureOf(failedStep(record), state.rollbackFailure),
      leftovers,
      ...(record?.error ? {} : { error: failureOf(state.failedStep ?? 'unknown', state.failure) }),
    });
    await announceVolume(deps, 'Volume Provisioning Failed', updated);
    deps.metrics.volumeStatus('ROLLBACK_FAILED');
    return { status: 'ROLLBACK_FAILED' as const, leftovers: leftovers.length };
  });
}

/**
 * What deletion keeps on purpose: the volume's own file system, with its mount targets and
 * group, when the access point step decided to keep it (Retain, or another volume's access
 * point still on it; the file system entry says why). A shared file system of someone else's
 * was never the volume's to keep.
 */
async function retainedResources(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'records'>,
): Promise<LeftoverResource[]> {
  const disposal = state.deletedAccessPoint?.disposal;
  const keptOwn = disposal
    ? keepsOwnFileSystem(disposal, state.volumeId)
    : state.retainFileSystem && !state.spec.fileSystemId;
  if (!keptOwn) return [];
  const { resources } = await deps.records.require(state.volumeId);
  const fileSystemId = disposal?.fileSystemId ?? resources.fileSystemId;
  return [
    ...(fileSystemId
      ? [
          {
            type: 'FileSystem',
            id: fileSystemId,
            ...(disposal?.keptBecause ? { reason: disposal.keptBecause } : {}),
          },
        ]
      : []),
    ...(resources.mountTargetIds ?? []).map((id) => ({ type: 'MountTarget', id })),
    ...(resources.securityGroupId
      ? [{ type: 'SecurityGroup', id: resources.securityGroupId }]
      : []),
  ];
}

/** What the record says when deprovisioning found the cluster gone. */
export function clusterGoneWarning(clusterName: string): string {
  return `cluster ${clusterName} no longer exists: its Kubernetes objects went with it and were not deleted by this service; the AWS resources were`;
}

/**
 * Deletion finished: the volume is DELETED, listing what it kept on purpose, and saying so
 * when the cluster was gone and its Kubernetes part skipped. A cleanup after a failed
 * provisioning (`failedProvision`) ends as a finished rollback does instead: FAILED with the
 * provisioning's failure, `Volume Provisioning Failed`; the volume never was READY.
 */
export function completeDeletion(
  state: StepState,
  deps: RecordDependencies,
): Promise<{ status: 'DELETED' | 'FAILED' }> {
  return runStep(deps.records, state.volumeId, 'CompleteDeletion', async () => {
    const warnings = state.clusterGone
      ? [
          ...((await deps.records.get(state.volumeId))?.warnings ?? []),
          clusterGoneWarning(state.spec.clusterName),
        ]
      : undefined;
    const retained = await retainedResources(state, deps);
    const status = state.failedProvision ? 'FAILED' : 'DELETED';
    const record = await deps.records.setStatus(state.volumeId, status, {
      // A FAILED volume lists what was kept only when something was.
      ...(status === 'DELETED' || retained.length > 0 ? { retained } : {}),
      ...(warnings ? { warnings } : {}),
    });
    await announceVolume(
      deps,
      status === 'FAILED' ? 'Volume Provisioning Failed' : 'Volume Deleted',
      record,
    );
    deps.metrics.volumeStatus(status);
    return { result: { status } };
  });
}

/**
 * Deletion could not finish: DELETE_FAILED, with every resource still there listed. A cleanup
 * after a failed provisioning (`failedProvision`) ends as a rollback that could not finish:
 * ROLLBACK_FAILED, the provisioning's failure kept and the cleanup's as its rollback error.
 */
export async function recordDeletionFailure(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'records' | 'efs' | 'ec2' | 'events' | 'settings' | 'metrics'>,
  kubernetes: KubernetesReader | undefined,
): Promise<{ status: 'DELETE_FAILED' | 'ROLLBACK_FAILED'; leftovers: number }> {
  return withClassifiedErrors(async () => {
    const record = await deps.records.get(state.volumeId);
    const found = await findLeftovers(state, deps, kubernetes, record?.resources);
    const retained = new Set((await retainedResources(state, deps)).map((resource) => resource.id));
    const leftovers = found.filter((resource) => !retained.has(resource.id));
    const failure = failureOf(failedStep(record), state.deletionFailure);
    const status = state.failedProvision ? 'ROLLBACK_FAILED' : 'DELETE_FAILED';
    const updated = await deps.records.setStatus(
      state.volumeId,
      status,
      status === 'ROLLBACK_FAILED'
        ? { rollbackError: failure, leftovers, ...(record?.error ? {} : { error: failure }) }
        : { error: failure, leftovers },
    );
    await announceVolume(
      deps,
      status === 'ROLLBACK_FAILED' ? 'Volume Provisioning Failed' : 'Volume Deletion Failed',
      updated,
    );
    deps.metrics.volumeStatus(status);
    return { status, leftovers: leftovers.length };
  });
}
