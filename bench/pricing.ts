// Public AWS prices (us-east-1) the per-volume cost is estimated with.

/** Step Functions Standard: per state transition ($0.025 per 1,000). */
export const STEP_FUNCTIONS_USD_PER_TRANSITION = 0.025 / 1000;
/** Lambda on arm64: per GB-second of billed duration. */
export const LAMBDA_ARM64_USD_PER_GB_SECOND = 0.0000133334;
/** Lambda: per request ($0.20 per 1M). */
export const LAMBDA_USD_PER_REQUEST = 0.2 / 1_000_000;

export interface LambdaUsage {
  readonly invocations: number;
  /** Measured durations, each rounded up to the millisecond as Lambda bills them. */
  readonly billedMs: number;
  readonly gbSeconds: number;
}

export interface CostEstimate {
  readonly transitions: number;
  readonly stepFunctionsUsd: number;
  readonly lambda: LambdaUsage;
  readonly lambdaUsd: number;
  readonly totalUsd: number;
}

/** The cost of one execution: its transitions and its Lambda invocations. */
export function estimateCost(
  transitions: number,
  calls: ReadonlyArray<{ readonly ms: number; readonly memoryMB: number }>,
): CostEstimate {
  let billedMs = 0;
  let gbSeconds = 0;
  for (const call of calls) {
    const billed = Math.max(1, Math.ceil(call.ms));
    billedMs += billed;
    gbSeconds += (billed / 1000) * (call.memoryMB / 1024);
  }
  const stepFunctionsUsd = transitions * STEP_FUNCTIONS_USD_PER_TRANSITION;
  const lambdaUsd =
    calls.length * LAMBDA_USD_PER_REQUEST + gbSeconds * LAMBDA_ARM64_USD_PER_GB_SECOND;
  return {
    transitions,
    stepFunctionsUsd,
    lambda: { invocations: calls.length, billedMs, gbSeconds },
    lambdaUsd,
    totalUsd: stepFunctionsUsd + lambdaUsd,
  };
}
