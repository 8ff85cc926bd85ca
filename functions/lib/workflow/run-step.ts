import { isTransientError } from '../aws/transient.ts';
import { TransientError, VolumeError } from '../errors.ts';
import type { VolumeRecordStore, VolumeResources } from '../volume/record.ts';

/** What one step produced: its result for the state machine and the resource ids it learned. */
export interface StepOutcome<T> {
  readonly result: T;
  readonly resources?: VolumeResources;
}

export interface StepOptions {
  /**
   * The move the step's start makes (functions/lib/volume/lifecycle.ts): the volume goes to
   * its status, only from the statuses it starts from.
   */
  readonly transition?: 'provisionStepStarted' | 'repairStepStarted';
}

/** A provisioning step: the volume moves to PROVISIONING, only from PENDING or PROVISIONING. */
export const PROVISIONING_STEP: StepOptions = { transition: 'provisionStepStarted' };

/**
 * A step of a repair: the volume must be REPAIRING (it stays so), so a step that runs late,
 * after its repair ended, fails rather than work on a volume nobody is repairing.
 */
export const REPAIR_STEP: StepOptions = { transition: 'repairStepStarted' };

/**
 * The status move of a step the provisioning and repair workflows share (deprovisioning
 * moves none): PROVISIONING while provisioning, REPAIRING held while repairing.
 */
export function workflowTransition(operation: string | undefined): StepOptions {
  if (operation === 'deprovision') return {};
  return operation === 'repair' ? REPAIR_STEP : PROVISIONING_STEP;
}

/**
 * Names an error for the state machine: our own errors as they are, throttling, 5xx and
 * dropped connections as TransientError (retried with backoff), anything else as it is.
 */
export function classifyStepError(error: unknown): Error {
  if (error instanceof VolumeError) return error;
  if (isTransientError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new TransientError(`transient failure: ${message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs work whose failures the state machine retries by name: throttling, 5xx and dropped
 * connections leave as TransientError, for the steps that record no step of their own.
 */
export async function withClassifiedErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyStepError(error);
  }
}

/**
 * Runs one step of a volume's workflow and records it: RUNNING with its start time, then
 * SUCCEEDED with the resource ids it learned, or FAILED with the error, which is rethrown
 * under the name the state machine's Retry and Catch match on.
 */
export async function runStep<T>(
  records: VolumeRecordStore,
  volumeId: string,
  step: string,
  work: () => Promise<StepOutcome<T>>,
  options: StepOptions = {},
): Promise<T> {
  try {
    // Inside the try: a throttled DynamoDB write here is as transient as any other.
    await records.stepStarted(volumeId, step, options.transition);
    const outcome = await work();
    await records.stepSucceeded(volumeId, step, outcome.resources);
    return outcome.result;
  } catch (error) {
    const classified = classifyStepError(error);
    await records.stepFailed(volumeId, step, classified).catch(() => undefined);
    throw classified;
  }
}
