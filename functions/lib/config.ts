import { booleanSetting, numberSetting, stringSetting } from './settings.ts';

// Each variable's name, type, default and meaning are declared once, in ./settings.ts.
export interface ServiceSettings {
  /** DynamoDB table of volume records. @default efs-volumes */
  readonly volumesTable: string;
  /** Whether uid/gid 0 may be asked for. @default false */
  readonly allowRootPosixUser: boolean;
  /** KMS key for EFS encryption at rest. @default the AWS managed key aws/elasticfilesystem */
  readonly kmsKeyId: string | undefined;
  /**
   * Whether a volume's mount targets admit NFS from its namespace's client security group
   * only (put on the namespace's pods by a SecurityGroupPolicy) instead of the whole cluster's
   * security group. @default false
   */
  readonly namespaceNetworkIsolation: boolean;
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
   * (below) ended with the mount targets still not ready (the one in ten that takes
   * minutes). @default 90 (MOUNT_TARGET_POLL_SECONDS in settings.ts)
   */
  readonly mountTargetPollSeconds: number;
  /**
   * From the second check on, how long one check may keep looking (inside its invocation)
   * before it hands the wait back to the state machine: near the expected ready time a
   * second of 256 MB Lambda costs far less than a Choice/Wait/Check round (3 transitions).
   * 0 looks once per check. Keep it below the check's Lambda timeout. @default 240
   * (MOUNT_TARGET_LOOK_AHEAD_SECONDS in settings.ts)
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
  /** A request's `verifyMount` when it names none. @default false */
  readonly verifyMount: boolean;
  /** The mount check Job: its image, deadline, poll interval and resources (settings.ts VERIFY_MOUNT_*). */
  readonly mountCheck: MountCheckSettings;
}

/** How the VerifyMount step runs its Job (functions/lib/kube/mount-check.ts). */
export interface MountCheckSettings {
  /** @default public.ecr.aws/docker/library/busybox:1.37.0 */
  readonly image: string;
  /** The Job's activeDeadlineSeconds. @default 180 */
  readonly timeoutSeconds: number;
  /** Seconds between looks at the Job. @default 10 */
  readonly pollSeconds: number;
  /** CPU request and limit. @default 250m */
  readonly cpu: string;
  /** Memory request and limit. @default 64Mi */
  readonly memory: string;
}

/**
 * The settings of functions/lib/settings.ts the steps and the API share, read on every call
 * (not at import) so local mode and tests can change them per run.
 */
export function serviceSettings(): ServiceSettings {
  return {
    volumesTable: stringSetting('VOLUMES_TABLE'),
    allowRootPosixUser: booleanSetting('ALLOW_ROOT_POSIX_USER'),
    kmsKeyId: stringSetting('EFS_KMS_KEY_ID'),
    namespaceNetworkIsolation: booleanSetting('NAMESPACE_NETWORK_ISOLATION'),
    mountTargetFirstWaitSeconds: numberSetting('MOUNT_TARGET_FIRST_WAIT_SECONDS'),
    mountTargetDnsDelaySeconds: numberSetting('MOUNT_TARGET_DNS_DELAY_SECONDS'),
    mountTargetPollSeconds: numberSetting('MOUNT_TARGET_POLL_SECONDS'),
    mountTargetLookAheadSeconds: numberSetting('MOUNT_TARGET_LOOK_AHEAD_SECONDS'),
    mountTargetLookIntervalSeconds: numberSetting('MOUNT_TARGET_LOOK_INTERVAL_SECONDS'),
    mountTargetMaxChecks: numberSetting('MOUNT_TARGET_MAX_CHECKS'),
    claimPollSeconds: numberSetting('CLAIM_POLL_SECONDS'),
    claimMaxChecks: numberSetting('CLAIM_MAX_CHECKS'),
    eventBusName: stringSetting('EVENT_BUS_NAME'),
    verifyMount: booleanSetting('VERIFY_MOUNT'),
    mountCheck: {
      image: stringSetting('VERIFY_MOUNT_IMAGE'),
      timeoutSeconds: numberSetting('VERIFY_MOUNT_TIMEOUT_SECONDS'),
      pollSeconds: numberSetting('VERIFY_MOUNT_POLL_SECONDS'),
      cpu: stringSetting('VERIFY_MOUNT_CPU'),
      memory: stringSetting('VERIFY_MOUNT_MEMORY'),
    },
  };
}
