// A failure's answer: access denied is not "retry later".
import { describe, expect, it } from 'vitest';
import { KubernetesRequestError, VolumeRecordStateError } from '../../functions/lib/errors.ts';
import { ProblemError } from '../../functions/lib/problems/problem.ts';
import { asProblem, busyWhenChanged } from '../../functions/lib/service/service-errors.ts';

function problemOf(error: unknown): ProblemError {
  try {
    asProblem(error);
  } catch (thrown) {
    if (thrown instanceof ProblemError) return thrown;
    throw thrown;
  }
  throw new Error('asProblem returned');
}

describe('asProblem', () => {
  it('answers a cluster that refuses this service with 502 cluster-access-denied, not a retry', () => {
    const problem = problemOf(new KubernetesRequestError('refused', 401));
    expect(problem.status).toBe(502);
    expect(problem.slug).toBe('cluster-access-denied');
    expect(problem.headers['Retry-After']).toBeUndefined();
  });

  it('answers AccessDeniedException from EKS with 403', () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    expect(problemOf(denied).status).toBe(403);
  });

  it('still answers a Kubernetes 5xx with 503 and Retry-After', () => {
    const problem = problemOf(new KubernetesRequestError('down', 500));
    expect(problem.status).toBe(503);
    expect(problem.headers['Retry-After']).toBe('5');
  });
});

describe('busyWhenChanged', () => {
  it('answers a record that changed meanwhile with 409 volume-busy, to retry', async () => {
    // Act
    const answer = busyWhenChanged('vol-1', () =>
      Promise.reject(new VolumeRecordStateError('volume vol-1 cannot record DELETING')),
    );

    // Assess
    await expect(answer).rejects.toMatchObject({
      status: 409,
      slug: 'volume-busy',
      message: 'volume vol-1 changed meanwhile; retry',
    });
  });

  it('gives back the moved record, and any other failure as it is', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    // Act and Assess
    await expect(busyWhenChanged('vol-1', async () => 'moved')).resolves.toBe('moved');
    await expect(busyWhenChanged('vol-1', () => Promise.reject(throttled))).rejects.toBe(throttled);
  });
});
