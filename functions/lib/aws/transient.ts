import { TransientError } from '../errors.ts';
import {
  type AwsOperation,
  COMMON_ERROR_OUTCOMES,
  DECLARED_ERROR_OUTCOMES,
  EC2_CODE_OUTCOMES,
  isRetried,
  type Outcome,
} from './aws-outcomes.ts';

/**
 * The error names and codes a later attempt may not meet, read from the outcome table: those
 * retried (`transient` or `wait`) for any operation, and the common ones any service may send.
 * A name is retried for every operation or for none (test/unit/aws-oracle.test.ts checks it):
 * an error does not say which operation it answers.
 */
const TRANSIENT_NAMES = new Set(
  [
    ...Object.values(DECLARED_ERROR_OUTCOMES),
    ...Object.values(EC2_CODE_OUTCOMES),
    COMMON_ERROR_OUTCOMES,
  ].flatMap((outcomes: Readonly<Record<string, Outcome>>) =>
    Object.entries(outcomes).flatMap(([name, outcome]) => (isRetried(outcome) ? [name] : [])),
  ),
);

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

/**
 * The outcome the table (aws-outcomes.ts) gives `operation` failing with `error`: what the
 * code does with it. Undefined for an error the table does not name for the operation.
 */
export function outcomeOf(operation: AwsOperation, error: unknown): Outcome | undefined {
  const name = errorName(error);
  const declared: Readonly<Record<string, Outcome>> = DECLARED_ERROR_OUTCOMES[operation];
  const codes: Readonly<Record<string, Outcome>> | undefined =
    EC2_CODE_OUTCOMES[operation as keyof typeof EC2_CODE_OUTCOMES];
  return declared[name] ?? codes?.[name];
}

/** True when the table's outcome for `operation` failing with `error` is `outcome`. */
export function hasOutcome(
  operation: AwsOperation,
  error: unknown,
  outcome: 'adopt' | 'gone' | 'wait' | 'unseen',
): boolean {
  return outcomeOf(operation, error) === outcome;
}

/**
 * A group (or another resource) just created that the service does not know yet. Should it
 * never appear, the retrier's MaxAttempts ends the step with this message and the workflow
 * rolls back.
 */
export function notYetVisible(operation: AwsOperation, error: unknown): TransientError {
  return new TransientError(
    `${operation} answered ${errorName(error)} for a security group created a moment before: not yet visible (AWS is eventually consistent)`,
    { cause: error },
  );
}
