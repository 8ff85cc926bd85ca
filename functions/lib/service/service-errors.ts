import { errorName, isTransientError } from '../aws/transient.ts';
import {
  ClusterConfigurationError,
  ClusterNotActiveError,
  ClusterNotFoundError,
  InvalidListTokenError,
  InvalidVolumeRequestError,
  KubernetesRequestError,
  TransientError,
  VolumeRecordStateError,
} from '../errors.ts';
import { ProblemError, problems } from '../problems/problem.ts';

export function serviceUnavailable(error: unknown): never {
  throw problems.unavailable(
    'a dependency is throttling or unavailable; retry with the same Idempotency-Key',
    error,
  );
}

/**
 * Moves a volume's record for an operation (DELETE, repair). A VolumeRecordStateError means
 * the volume changed between the request's read and this write: 409 volume-busy, to retry.
 */
export async function busyWhenChanged<T>(id: string, move: () => Promise<T>): Promise<T> {
  try {
    return await move();
  } catch (error) {
    if (error instanceof VolumeRecordStateError)
      throw problems.volumeBusy(`volume ${id} changed meanwhile; retry`);
    throw error;
  }
}

/** Maps what the workflow modules throw to the API's problems. */
export function asProblem(error: unknown): never {
  if (error instanceof ProblemError) throw error;
  if (error instanceof InvalidVolumeRequestError)
    throw problems.invalidRequest(error.message, error.problems);
  if (error instanceof ClusterNotFoundError) throw problems.clusterNotFound(error.message);
  if (error instanceof ClusterNotActiveError || error instanceof ClusterConfigurationError) {
    throw problems.clusterNotActive(error.message);
  }
  if (error instanceof InvalidListTokenError) throw problems.invalidRequest(error.message);
  // The service's own role may not use the cluster: an operator must grant it, a retry won't.
  if (errorName(error) === 'AccessDeniedException') {
    throw problems.forbidden('this service is not allowed to describe that cluster');
  }
  if (
    error instanceof KubernetesRequestError &&
    (error.statusCode === 401 || error.statusCode === 403)
  ) {
    throw problems.clusterAccessDenied(error.statusCode, error);
  }
  if (
    error instanceof TransientError ||
    error instanceof KubernetesRequestError ||
    isTransientError(error)
  ) {
    serviceUnavailable(error);
  }
  throw error;
}
