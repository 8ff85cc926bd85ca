import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { VolumeFailure, VolumeRecord } from '../volume/record.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import { findLeftovers } from './leftovers.ts';
import { runStep } from './run-step.ts';
import type { CaughtError, ProvisionState } from './state.ts';

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

/** The step that failed: the last one recorded FAILED, or still RUNNING (a Lambda timeout). */
export function failedStep(record: VolumeRecord | undefined): string {
  const candidates = Object.entries(record?.steps ?? {})
    .filter(([, step]) => step.status !== 'SUCCEEDED')
    .sort(([, a], [, b]) => a.startedAt.localeCompare(b.startedAt));
  return candidates.at(-1)?.[0] ?? 'unknown';
}

type RecordDependencies = Pick<AwsStepDependencies, 'records'>;

export function completeProvisioning(
  state: ProvisionState,
  deps: RecordDependencies,
): Promise<{ volumeId: string; status: 'READY' }> {
  return runStep(deps.records, state.volumeId, 'CompleteProvisioning', async () => {
    await deps.records.setStatus(state.volumeId, 'READY');
    return { result: { volumeId: state.volumeId, status: 'READY' } };
  });
}

/** Records which step failed and why, and moves the volume to ROLLING_BACK. */
export function beginRollback(
  state: ProvisionState,
  deps: RecordDependencies,
): Promise<VolumeFailure> {
  return runStep(deps.records, state.volumeId, 'BeginRollback', async () => {
    const record = await deps.records.get(state.volumeId);
    const error: VolumeFailure = {
      step: state.failedStep ?? failedStep(record),
      name: state.failure?.Error ?? 'Error',
      message: causeMessage(state.failure).slice(0, 1000),
    };
    await deps.records.setStatus(state.volumeId, 'ROLLING_BACK', { error });
    return { result: error };
  });
}

/** Rollback finished: nothing of the volume remains; it is FAILED with the original cause. */
export function completeRollback(
  state: ProvisionState,
  deps: RecordDependencies,
): Promise<{ status: 'FAILED' }> {
  return runStep(deps.records, state.volumeId, 'CompleteRollback', async () => {
    await deps.records.setStatus(state.volumeId, 'FAILED');
    return { result: { status: 'FAILED' } };
  });
}

/** Rollback could not finish: the record lists every resource that is still there. */
export async function recordRollbackFailure(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'records' | 'efs' | 'ec2'>,
  kubernetes: KubernetesObjectApi | undefined,
): Promise<{ status: 'ROLLBACK_FAILED'; leftovers: number }> {
  const record = await deps.records.get(state.volumeId);
  const leftovers = await findLeftovers(state, deps, kubernetes);
  const rollbackError: VolumeFailure = {
    step: failedStep(record),
    name: state.rollbackFailure?.Error ?? 'Error',
    message: causeMessage(state.rollbackFailure).slice(0, 1000),
  };
  await deps.records.setStatus(state.volumeId, 'ROLLBACK_FAILED', {
    rollbackError,
    leftovers,
    ...(record?.error
      ? {}
      : {
          error: {
            step: 'unknown',
            name: state.failure?.Error ?? 'Error',
            message: causeMessage(state.failure),
          },
        }),
  });
  return { status: 'ROLLBACK_FAILED', leftovers: leftovers.length };
}
