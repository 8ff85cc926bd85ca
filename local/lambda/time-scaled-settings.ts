// The waits a function makes inside its own invocation, kept in pace with local mode's AWS
// model: the state machine's Wait states and retry pauses are scaled by the local Step
// Functions (local/step-functions/local-workflow.ts); CheckMountTargets' look-ahead polls in
// the Lambda, so local mode gives it scaled settings through the variables it already reads.
// Production code has no local knob: these are the settings an operator could set too.
import { type ServiceSettings, serviceSettings } from '../../functions/lib/config.ts';
import { SETTINGS } from '../../functions/lib/settings.ts';

/**
 * The `Retry-After` the API gives pollers of a volume still changing, in real seconds at
 * `scale`: the AWS default scaled, at least 1 (the header counts whole seconds). Without the
 * AWS model (`scale` undefined) AWS answers at once: 1.
 */
export function timeScaledRetryAfter(scale?: number): string {
  const seconds = SETTINGS.RETRY_AFTER_SECONDS.default * (scale ?? 0);
  return String(Math.max(1, Math.ceil(seconds)));
}

/**
 * The shortest pause between two looks, in real seconds: at scale 0.02 a 1 s interval would be
 * 20 ms, fifty DescribeMountTargets a second against one moto process for no better pacing.
 */
export const MIN_LOOK_INTERVAL_SECONDS = 0.1;

/**
 * The in-invocation waits of the functions, scaled from AWS seconds to local seconds.
 * Scale 0 (instant) looks once per check.
 *
 * @param scale LOCAL_AWS_TIME_SCALE: real seconds per AWS second
 * @param settings the settings in AWS seconds @default the functions' own (environment, else defaults)
 * @returns variables for the functions' environment
 */
export function timeScaledFunctionSettings(
  scale: number,
  settings: Pick<
    ServiceSettings,
    'mountTargetLookAheadSeconds' | 'mountTargetLookIntervalSeconds'
  > = serviceSettings(),
): Record<string, string> {
  const interval =
    scale === 0
      ? 0
      : Math.max(settings.mountTargetLookIntervalSeconds * scale, MIN_LOOK_INTERVAL_SECONDS);
  return {
    MOUNT_TARGET_LOOK_AHEAD_SECONDS: String(settings.mountTargetLookAheadSeconds * scale),
    MOUNT_TARGET_LOOK_INTERVAL_SECONDS: String(interval),
    RETRY_AFTER_SECONDS: timeScaledRetryAfter(scale),
  };
}
