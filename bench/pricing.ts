// The per-volume cost, estimated with the service's own price table (us-east-1):
// functions/lib/pricing/prices.ts, which the plan quotes from too.
import { PRICE_TABLE } from '../functions/lib/pricing/prices.ts';

const US_EAST_1 = PRICE_TABLE.regions['us-east-1'];
if (!US_EAST_1) throw new Error('the price table has no us-east-1');

/** Step Functions Standard: per state transition ($0.025 per 1,000). */
export const STEP_FUNCTIONS_USD_PER_TRANSITION = US_EAST_1.stepFunctionsTransition;
/** Lambda on arm64: per GB-second of billed duration. */
export const LAMBDA_ARM64_USD_PER_GB_SECOND = US_EAST_1.lambdaArm64GbSecond;
/** Lambda: per request ($0.20 per 1M). */
export const LAMBDA_USD_PER_REQUEST = US_EAST_1.lambdaRequest;

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
