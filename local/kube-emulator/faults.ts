/**
 * Injected faults for tests: the next matching request(s) fail with a chosen Status instead
 * of being served, so retry and rollback paths can be exercised.
 */
import {
  failure,
  internalError,
  KubeApiError,
  serviceUnavailable,
  tooManyRequests,
} from './status.ts';

export interface KubeFault {
  /** HTTP method to match (any when absent), e.g. `PATCH`. */
  readonly method?: string;
  /** A substring of the request path and query (any when absent), e.g. `persistentvolumeclaims`. */
  readonly pathIncludes?: string;
  readonly status: 409 | 422 | 429 | 500 | 503;
  /** @default 1 */
  readonly times?: number;
}

function faultError(status: KubeFault['status']): KubeApiError {
  switch (status) {
    case 409:
      return new KubeApiError(
        failure(409, 'Conflict', 'Operation cannot be fulfilled: injected fault; please retry'),
      );
    case 422:
      return new KubeApiError(
        failure(422, 'Invalid', 'injected fault: the object is invalid', {
          causes: [{ reason: 'FieldValueInvalid', message: 'injected fault' }],
        }),
      );
    case 429:
      return tooManyRequests(1);
    case 500:
      return internalError('injected fault');
    case 503:
      return serviceUnavailable(
        'injected fault: the server is currently unable to handle the request',
      );
  }
}

export class FaultInjector {
  private faults: Array<{ fault: KubeFault; remaining: number }> = [];

  inject(fault: KubeFault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The error for this request if a fault matches it (using up one of its times). */
  take(method: string, pathAndQuery: string): KubeApiError | undefined {
    const match = this.faults.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.pathIncludes === undefined || pathAndQuery.includes(fault.pathIncludes)),
    );
    if (!match) return undefined;
    match.remaining -= 1;
    this.faults = this.faults.filter((entry) => entry.remaining > 0);
    return faultError(match.fault.status);
  }
}
