/**
 * Settings read from the environment, each with a default that is safe in production.
 * Read on every call (not at import) so local mode and tests can change them per run.
 */
function numberSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

export interface ServiceSettings {
  /** DynamoDB table of volume records. @default efs-volumes */
  readonly volumesTable: string;
  /** Whether uid/gid 0 may be asked for. @default false */
  readonly allowRootPosixUser: boolean;
  /** KMS key for EFS encryption at rest. @default the AWS managed key aws/elasticfilesystem */
  readonly kmsKeyId: string | undefined;
  /**
   * Seconds to wait after the first mount-target check (right after their creation): most of
   * the 60–90 s a mount target takes; the second check looks ahead over the rest. Tuned with
   * the bench's mount-target wait model (bench/README.md). @default 75
   */
  readonly mountTargetFirstWaitSeconds: number;
  /**
   * Seconds a mount target's DNS name takes to resolve everywhere after it becomes available:
   * a volume is READY only this long after the last one did, so a pod scheduled on READY
   * can mount. @default 90
   */
  readonly mountTargetDnsDelaySeconds: number;
  /**
   * Seconds the state machine waits between later checks, when a check's own look-ahead
   * (below) ended with the mount targets still not ready (a mount target in the long tail,
   * minutes): with the look-ahead, one such round covers AWS's tail up to about ten minutes,
   * so a provision stays within 20 state transitions. Also the pause between checks that
   * mount targets being deleted are gone (they take 45–90 s). @default 90
   */
  readonly mountTargetPollSeconds: number;
  /**
   * From the second check on, how long one check may keep looking (inside its invocation)
   * before it hands the wait back to the state machine: near the expected ready time a
   * second of 256 MB Lambda costs far less than a Choice/Wait/Check round (3 transitions).
   * 0 looks once per check. The CheckMountTargets Lambda's timeout (300 s) bounds it: the
   * stack refuses more than 270 (infra/config.ts). Chosen with the bench's mount-target wait
   * model (bench/README.md section 6). @default 240
   */
  readonly mountTargetLookAheadSeconds: number;
  /** Seconds between looks inside one check's look-ahead. @default 1 */
  readonly mountTargetLookIntervalSeconds: number;
  /** Give up waiting for mount targets after this many checks. @default 60 */
  readonly mountTargetMaxChecks: number;
  /** Seconds between checks that the claim is Bound. @default 2 */
  readonly claimPollSeconds: number;
  /** Give up waiting for the claim after this many checks. @default 30 */
  readonly claimMaxChecks: number;
  /** The EventBridge bus lifecycle events go to. @default default */
  readonly eventBusName: string;
}

export function serviceSettings(): ServiceSettings {
  return {
    volumesTable: process.env.VOLUMES_TABLE || 'efs-volumes',
    allowRootPosixUser: process.env.ALLOW_ROOT_POSIX_USER === 'true',
    kmsKeyId: process.env.EFS_KMS_KEY_ID || undefined,
    mountTargetFirstWaitSeconds: numberSetting('MOUNT_TARGET_FIRST_WAIT_SECONDS', 75),
    mountTargetDnsDelaySeconds: numberSetting('MOUNT_TARGET_DNS_DELAY_SECONDS', 90),
    mountTargetPollSeconds: numberSetting('MOUNT_TARGET_POLL_SECONDS', 90),
    mountTargetLookAheadSeconds: numberSetting('MOUNT_TARGET_LOOK_AHEAD_SECONDS', 240),
    mountTargetLookIntervalSeconds: numberSetting('MOUNT_TARGET_LOOK_INTERVAL_SECONDS', 1),
    mountTargetMaxChecks: numberSetting('MOUNT_TARGET_MAX_CHECKS', 60),
    claimPollSeconds: numberSetting('CLAIM_POLL_SECONDS', 2),
    claimMaxChecks: numberSetting('CLAIM_MAX_CHECKS', 30),
    eventBusName: process.env.EVENT_BUS_NAME || 'default',
  };
}
