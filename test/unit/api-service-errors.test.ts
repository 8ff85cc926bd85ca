// A failure's answer: access denied is not "retry later".
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../functions/lib/api/problem.ts';
import { asProblem } from '../../functions/lib/api/service-errors.ts';
import { KubernetesRequestError } from '../../functions/lib/errors.ts';

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
