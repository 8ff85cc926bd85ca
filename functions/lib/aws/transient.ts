/** Error names AWS services use for throttling and passing faults. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServerException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

interface MaybeServiceError {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * True for errors that a later attempt may not meet: throttling, 5xx, timeouts and
 * dropped connections. The SDK already retried these; the state machine retries the
 * whole step again with a longer backoff.
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as MaybeServiceError;
  if (candidate.$retryable) return true;
  const status = candidate.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return TRANSIENT_NAMES.has(candidate.name ?? '') || TRANSIENT_NAMES.has(candidate.code ?? '');
}

/** The error's name as the service gave it, for branching on codes (never on message text). */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { name, code } = error as MaybeServiceError;
    return name ?? code ?? 'Error';
  }
  return 'Error';
}
