// Every environment variable the functions read, declared once, in two tables: SETTINGS (type
// and default), which the functions read, and SETTING_DOCS (meaning, readers, who sets it),
// which only the stack, local mode and the docs read, so no bundle carries it. The config
// loader reads through it; the CDK stack's environment, local mode and the configuration table
// of docs/configuration.md are checked against it (test/infra/function-settings.test.ts,
// test/unit/settings-readme.test.ts). No CDK here: this file is bundled into every function.

/** Who reads a setting: a kind of function of infra/function-catalog.ts, or one by name. */
export type SettingReader = 'step' | 'api' | 'event' | 'schedule' | (string & {});

/**
 * Who sets it: `stack` for every function that reads it; `stack when configured` only when
 * the stack's configuration names a value (else the default applies); `local mode` only there.
 */
export type SettingSource = 'stack' | 'stack when configured' | 'local mode';

/** What a function needs of a setting to read it. */
export interface SettingValue {
  readonly type: 'string' | 'number' | 'boolean' | 'json';
  /** The value when unset; `undefined`: none (see `unset`). */
  readonly default: string | number | boolean | undefined;
}

/** What a setting means, and to whom: for the docs and the stack's checks. */
export interface SettingDocs {
  /** What being unset means when there is no default value, for docs/configuration.md. @default must be set */
  readonly unset?: string;
  /** What it means, for the configuration table of docs/configuration.md. */
  readonly meaning: string;
  readonly readBy: readonly SettingReader[];
  readonly setBy: SettingSource;
}

/** A setting's whole declaration: its entry of SETTINGS with its entry of SETTING_DOCS. */
export interface SettingDeclaration extends SettingValue, SettingDocs {}

/** The whole declaration of a setting. */
export function settingDeclaration(name: SettingName): SettingDeclaration {
  return { ...SETTINGS[name], ...SETTING_DOCS[name] };
}

/** Every environment variable the functions read (the Lambda runtime's own `AWS_*` aside). */
export const SETTINGS = {
  VOLUMES_TABLE: {
    type: 'string',
    default: 'efs-volumes',
  },
  STACK_NAME: {
    type: 'string',
    default: undefined,
  },
  ACCESS_POLICY: {
    type: 'json',
    default: undefined,
  },
  ALLOW_ROOT_POSIX_USER: {
    type: 'boolean',
    default: false,
  },
  MAX_VOLUMES_PER_NAMESPACE: {
    type: 'number',
    default: 50,
  },
  MAX_VOLUMES_PER_CALLER: {
    type: 'number',
    default: 100,
  },
  SUBNET_ADDRESS_RESERVE: {
    type: 'number',
    default: 16,
  },
  PREFLIGHT_CACHE_SECONDS: {
    type: 'number',
    default: 10,
  },
  WARM_POOL: {
    type: 'json',
    default: undefined,
  },
  CHECK_VOLUME_BATCH_FUNCTION: {
    type: 'string',
    default: undefined,
  },
  NAMESPACE_NETWORK_ISOLATION: {
    type: 'boolean',
    default: false,
  },
  EFS_KMS_KEY_ID: {
    type: 'string',
    default: undefined,
  },
  RESTORE_ROLE_ARN: {
    type: 'string',
    default: undefined,
  },
  EVENT_BUS_NAME: {
    type: 'string',
    default: 'default',
  },
  REQUEST_EVENT_SOURCE: {
    type: 'string',
    default: 'efs-volumes.requests',
  },
  REQUEST_SENDERS: {
    type: 'json',
    default: undefined,
  },
  PROVISION_STATE_MACHINE_ARN: {
    type: 'string',
    default: undefined,
  },
  DEPROVISION_STATE_MACHINE_ARN: {
    type: 'string',
    default: undefined,
  },
  REPAIR_STATE_MACHINE_ARN: {
    type: 'string',
    default: undefined,
  },
  MOUNT_TARGET_FIRST_WAIT_SECONDS: {
    type: 'number',
    default: 75,
  },
  MOUNT_TARGET_POLL_SECONDS: {
    type: 'number',
    default: 90,
  },
  MOUNT_TARGET_MAX_CHECKS: {
    type: 'number',
    // infra/config.ts maxMountTargetChecks of the default waits (a test keeps them equal).
    default: 14,
  },
  MOUNT_TARGET_LOOK_AHEAD_SECONDS: {
    type: 'number',
    default: 240,
  },
  MOUNT_TARGET_LOOK_INTERVAL_SECONDS: {
    type: 'number',
    default: 1,
  },
  MOUNT_TARGET_DNS_DELAY_SECONDS: {
    type: 'number',
    default: 90,
  },
  CLAIM_POLL_SECONDS: {
    type: 'number',
    default: 2,
  },
  CLAIM_MAX_CHECKS: {
    type: 'number',
    default: 30,
  },
  VERIFY_MOUNT: {
    type: 'boolean',
    default: false,
  },
  VERIFY_MOUNT_IMAGE: {
    type: 'string',
    default: 'public.ecr.aws/docker/library/busybox:1.37.0',
  },
  VERIFY_MOUNT_TIMEOUT_SECONDS: {
    type: 'number',
    default: 180,
  },
  VERIFY_MOUNT_POLL_SECONDS: {
    type: 'number',
    default: 10,
  },
  VERIFY_MOUNT_CPU: {
    type: 'string',
    default: '250m',
  },
  VERIFY_MOUNT_MEMORY: {
    type: 'string',
    default: '64Mi',
  },
  RETRY_AFTER_SECONDS: {
    type: 'number',
    default: 2,
  },
  POWERTOOLS_SERVICE_NAME: {
    type: 'string',
    default: 'efs-volumes',
  },
  POWERTOOLS_LOG_LEVEL: {
    type: 'string',
    default: 'INFO',
  },
} as const satisfies Record<string, SettingValue>;

export type SettingName = keyof typeof SETTINGS;

/**
 * What each setting means, who reads it and who sets it: for docs/configuration.md and the
 * stack's checks (infra/function-settings.ts), never read by a function, so a bundle leaves it
 * out (the prose was 5 kB of every cold start). tsc wants an entry for every setting of SETTINGS
 * and none other.
 */
export const SETTING_DOCS: { readonly [Name in SettingName]: SettingDocs } = {
  VOLUMES_TABLE: {
    meaning: 'DynamoDB table of volume records',
    readBy: ['step', 'api', 'event', 'schedule'],
    setBy: 'stack',
  },
  STACK_NAME: {
    meaning:
      'the stack the functions belong to: the `efs-volumes:stack` tag every resource carries and IAM requires',
    readBy: ['step', 'api', 'event', 'schedule'],
    setBy: 'stack',
  },
  ACCESS_POLICY: {
    unset: 'nobody may do anything',
    meaning: 'JSON: who may do what where; see [Access policy](#access-policy)',
    readBy: ['api', 'ProvisionRequested'],
    setBy: 'stack',
  },
  ALLOW_ROOT_POSIX_USER: {
    meaning: 'allow uid/gid 0',
    readBy: ['createVolume', 'deleteVolume', 'repairVolume', 'ProvisionRequested'],
    setBy: 'stack',
  },
  MAX_VOLUMES_PER_NAMESPACE: {
    meaning:
      'live volumes (any status but DELETED and FAILED) one cluster and namespace may hold; over it, 429 `quota-exceeded`',
    readBy: ['createVolume', 'ProvisionRequested'],
    setBy: 'stack',
  },
  MAX_VOLUMES_PER_CALLER: {
    meaning:
      'live volumes one caller (its principal, across clusters) may hold; over it, 429 `quota-exceeded`',
    readBy: ['createVolume', 'ProvisionRequested'],
    setBy: 'stack',
  },
  SUBNET_ADDRESS_RESERVE: {
    meaning:
      "free addresses a new volume's mount targets must leave in each cluster subnet they take one from (for Fargate pods); else 422 `subnet-address-reserve`",
    readBy: ['createVolume', 'ProvisionRequested'],
    setBy: 'stack',
  },
  PREFLIGHT_CACHE_SECONDS: {
    meaning:
      'seconds an execution environment of the create path reuses the AWS part of a preflight that passed (the cluster, its Fargate profiles, subnets and VPC DNS) for the same cluster and namespace: a burst of requests reads it once per environment; the namespace and claim checks run for every request, and a refusal is never kept; 0 reads AWS for every request',
    readBy: ['createVolume', 'ProvisionRequested'],
    setBy: 'stack',
  },
  WARM_POOL: {
    unset: 'no cluster keeps a pool',
    meaning:
      'JSON: warm pool file systems per cluster, e.g. `{"demo": 2}` (the stack’s `warmPool`); a matching request takes one and is READY in seconds; see [Warm pool](#warm-pool)',
    readBy: ['createVolume', 'ProvisionRequested', 'CheckVolumes'],
    setBy: 'stack when configured',
  },
  CHECK_VOLUME_BATCH_FUNCTION: {
    unset: 'CheckVolumes checks every batch itself',
    meaning:
      'the function the scheduled check sends each batch of READY volumes to (CheckVolumeBatch), so a cycle over thousands of volumes spreads over many invocations',
    readBy: ['CheckVolumes'],
    setBy: 'stack',
  },
  NAMESPACE_NETWORK_ISOLATION: {
    meaning:
      "a volume's mount targets admit NFS from its namespace's pods only; see [Namespace network isolation](#namespace-network-isolation)",
    readBy: ['step'],
    setBy: 'stack',
  },
  EFS_KMS_KEY_ID: {
    unset: 'the AWS managed key',
    meaning: 'KMS key for EFS encryption at rest',
    readBy: ['step', 'CheckVolumes'],
    setBy: 'stack when configured',
  },
  RESTORE_ROLE_ARN: {
    unset: 'no restores (`restoreFrom` answers 503)',
    meaning:
      "the role AWS Backup restores a volume's recovery point as (the stack's restore role); its account and partition also name the file systems whose recovery points are listed",
    readBy: ['StartRestoreJob', 'createVolume', 'listRecoveryPoints', 'ProvisionRequested'],
    setBy: 'stack',
  },
  EVENT_BUS_NAME: {
    meaning: 'bus for lifecycle events',
    readBy: ['step', 'api', 'event', 'schedule'],
    setBy: 'stack',
  },
  REQUEST_EVENT_SOURCE: {
    meaning: 'the source of `Volume Provision Requested` events',
    readBy: ['ProvisionRequested'],
    setBy: 'stack',
  },
  REQUEST_SENDERS: {
    unset: 'no request event is accepted',
    meaning:
      'JSON list of the accounts and IAM role ARNs whose `Volume Provision Requested` events are accepted (the stack’s `requestSenders`; a role counts by its account); empty, every one is rejected',
    readBy: ['ProvisionRequested'],
    setBy: 'stack',
  },
  PROVISION_STATE_MACHINE_ARN: {
    meaning: 'the provisioning workflow',
    readBy: [
      'createVolume',
      'deleteVolume',
      'repairVolume',
      'ProvisionRequested',
      'SettleExecution',
      'CheckVolumes',
    ],
    setBy: 'stack',
  },
  DEPROVISION_STATE_MACHINE_ARN: {
    meaning: 'the deprovisioning workflow',
    readBy: [
      'createVolume',
      'deleteVolume',
      'repairVolume',
      'ProvisionRequested',
      'SettleExecution',
      'CheckVolumes',
    ],
    setBy: 'stack',
  },
  REPAIR_STATE_MACHINE_ARN: {
    meaning: 'the repair workflow',
    readBy: [
      'createVolume',
      'deleteVolume',
      'repairVolume',
      'ProvisionRequested',
      'SettleExecution',
    ],
    setBy: 'stack',
  },
  MOUNT_TARGET_FIRST_WAIT_SECONDS: {
    meaning:
      "mount target wait: the state machine's Wait after the first check (right after creation), most of the 60–90 s a mount target takes",
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  MOUNT_TARGET_POLL_SECONDS: {
    meaning:
      "mount target wait: the state machine's Wait after a later check whose look-ahead still found them not ready (also between rollback checks that deleted mount targets are gone)",
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  MOUNT_TARGET_MAX_CHECKS: {
    meaning:
      "mount target wait: the checks before giving up and rolling back (with the default waits about 80 minutes); the stack refuses more than its waits leave time for within the provisioning execution's 7,200 s limit, rollback included",
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  MOUNT_TARGET_LOOK_AHEAD_SECONDS: {
    meaning:
      "from the second check on, how long one check keeps looking inside its invocation: cheaper than Choice/Wait/Check rounds near the ready time (`npm run bench -- --only=model`); 0 looks once; at most 270 (the check's Lambda has 300 s)",
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  MOUNT_TARGET_LOOK_INTERVAL_SECONDS: {
    meaning: 'seconds between looks inside one check’s look-ahead',
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  MOUNT_TARGET_DNS_DELAY_SECONDS: {
    meaning:
      'seconds from the creation of a volume’s mount targets until its manifests are applied, for their DNS names to resolve (AWS advises 90 s after creating a mount target); what has not passed when they turn available is waited',
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  CLAIM_POLL_SECONDS: {
    meaning: 'claim binding wait: seconds between checks that the claim is Bound',
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  CLAIM_MAX_CHECKS: {
    meaning: 'claim binding wait: the checks before giving up',
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT: {
    meaning:
      'the default of a request’s `verifyMount`: READY only after a Kubernetes Job in the volume’s namespace mounted the claim, wrote, read back and removed a probe file ([docs/api.md: verifyMount](api.md#a-mount-proven-before-ready-verifymount))',
    readBy: ['createVolume', 'ProvisionRequested'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT_IMAGE: {
    meaning:
      'the container image of the mount check and of a restore’s listing (FindRestoreDirectory): a POSIX `sh` with `printf`, `cat`, `rm`, `hostname` and `basename` (pinned, from a public registry a Fargate pod can pull without credentials)',
    readBy: ['step', 'createVolume', 'ProvisionRequested'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT_TIMEOUT_SECONDS: {
    meaning:
      'the `activeDeadlineSeconds` of the mount check Job and of a restore’s listing Job: a Fargate pod takes about a minute to start, and a mount that fails is retried by the kubelet until then',
    readBy: ['step', 'createVolume', 'ProvisionRequested'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT_POLL_SECONDS: {
    meaning: 'mount check and restore listing: seconds between looks at the Job',
    readBy: ['step'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT_CPU: {
    meaning:
      'the CPU request and limit of the mount check’s and the restore listing’s container (Fargate sizes the pod from it: 0.25 vCPU is its smallest)',
    readBy: ['step', 'createVolume', 'ProvisionRequested'],
    setBy: 'stack when configured',
  },
  VERIFY_MOUNT_MEMORY: {
    meaning:
      'the memory request and limit of the mount check’s and the restore listing’s container (Fargate adds 256 MB and rounds up to 0.5 GB)',
    readBy: ['step', 'createVolume', 'ProvisionRequested'],
    setBy: 'stack when configured',
  },
  RETRY_AFTER_SECONDS: {
    meaning:
      'the `Retry-After` (whole seconds, at least 1) of an answer whose volume is still changing (the 202 of a create, delete or repair; GET /volumes/{id} until the status settles): how long a poller should wait before its next GET; the CLI’s `--wait` waits that long. Local mode scales it to its AWS time (1 at 0.02)',
    readBy: ['getVolume', 'createVolume', 'deleteVolume', 'repairVolume'],
    setBy: 'local mode',
  },
  POWERTOOLS_SERVICE_NAME: {
    meaning: 'the `service` of every log line, metric and trace',
    readBy: ['step', 'api', 'event', 'schedule'],
    setBy: 'stack',
  },
  POWERTOOLS_LOG_LEVEL: {
    meaning: 'log level (the stack’s `logLevel`)',
    readBy: ['step', 'api', 'event', 'schedule'],
    setBy: 'stack',
  },
};

type SettingsOfType<T extends SettingDeclaration['type']> = {
  [Name in SettingName]: (typeof SETTINGS)[Name]['type'] extends T ? Name : never;
}[SettingName];

/** The raw value, `undefined` when unset or empty (an empty variable means "use the default"). */
export function rawSetting(name: SettingName): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** A string setting's value: `string` where a default is declared, else maybe `undefined`. */
export type StringSettingValue<Name extends SettingsOfType<'string'>> =
  (typeof SETTINGS)[Name]['default'] extends string ? string : string | undefined;

/** A string setting, or its declared default when unset (`undefined` when it has none). */
export function stringSetting<Name extends SettingsOfType<'string'>>(
  name: Name,
): StringSettingValue<Name> {
  const fallback: string | undefined = SETTINGS[name].default;
  return (rawSetting(name) ?? fallback) as StringSettingValue<Name>;
}

/**
 * A number setting, or its declared default when unset.
 * @throws Error when the value is not a non-negative number: a typo must not become a 0 s wait.
 */
export function numberSetting(name: SettingsOfType<'number'>): number {
  const raw = rawSetting(name);
  if (raw === undefined) return SETTINGS[name].default;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

/** A boolean setting: `true` only for the text `true`, else its declared default when unset. */
export function booleanSetting(name: SettingsOfType<'boolean'>): boolean {
  const raw = rawSetting(name);
  return raw === undefined ? SETTINGS[name].default : raw === 'true';
}
