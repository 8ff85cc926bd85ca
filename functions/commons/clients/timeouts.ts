/**
 * How long an AWS call may take, for every SDK client of the functions: a connection that
 * hangs fails in seconds as `TimeoutError` (ETIMEDOUT), which the SDK retries (3 attempts)
 * and the steps then raise as TransientError for the state machine's backoff, instead of the
 * whole invocation running into its Lambda timeout (90 s for most steps), which Step
 * Functions reports as `Sandbox.Timedout`. 3 × (3 s + 15 s) stays under it.
 */
export const AWS_CLIENT_TIMEOUTS = {
  connectionTimeout: 3_000,
  requestTimeout: 15_000,
} as const;

/**
 * The client options that set {@link AWS_CLIENT_TIMEOUTS}. `throwOnRequestTimeout`: without
 * it, the SDK's Node.js handler only logs a warning when the request timeout passes.
 *
 * @param timeouts for tests @default AWS_CLIENT_TIMEOUTS
 */
export function withTimeouts(
  timeouts: { connectionTimeout: number; requestTimeout: number } = AWS_CLIENT_TIMEOUTS,
) {
  return { requestHandler: { ...timeouts, throwOnRequestTimeout: true } };
}
