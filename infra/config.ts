import { readFileSync } from 'node:fs';
import { isAccountSender, isRequestSender } from '../functions/lib/events/request-senders.ts';
import {
  type AccessPolicy,
  accessPolicyFromEnvironment,
} from '../functions/lib/service/access-policy.ts';
import { SETTINGS } from '../functions/lib/settings.ts';

/** Where the functions that call a cluster's Kubernetes API run, for private endpoints. */
export interface KubernetesNetwork {
  /** The VPC of the cluster (or one routed to its private endpoint). */
  readonly vpcId: string;
  /** Private subnets with a route to the endpoint and to the AWS APIs (NAT or VPC endpoints). */
  readonly subnetIds: readonly string[];
  /** A security group the cluster's security group accepts on 443. @default one is created, egress 443 only */
  readonly securityGroupId?: string;
}

/** One EKS cluster the service may provision volumes for. */
export interface ClusterConfig {
  /** The EKS cluster name. */
  readonly name: string;
  /**
   * Run the Kubernetes-calling functions in this VPC, for a cluster whose API endpoint is
   * private. Every cluster that sets it must name the same placement: one function serves
   * all clusters. @default the functions run outside any VPC (public endpoint)
   */
  readonly vpc?: KubernetesNetwork;
}

/**
 * How the functions' IAM roles are allowed into the clusters.
 * - `rbac` (default): STANDARD access entries in the Kubernetes groups `efs-volumes`
 *   (writer) and `efs-volumes-reader`, bound once to the ClusterRoles of infra/rbac.yaml.
 * - `cluster-admin`: AmazonEKSClusterAdminPolicy, for clusters where an admin cannot apply
 *   the RBAC file. Much broader than needed.
 */
export type KubernetesAccessMode = 'rbac' | 'cluster-admin';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Everything the stack can be told; `cdk.json` context `efs-volumes` holds it. */
export interface ServiceConfig {
  /** The clusters volumes may be provisioned for: one EKS access entry per cluster and role. */
  readonly clusters: readonly ClusterConfig[];
  /** Who may ask for volumes on which cluster and namespaces (ACCESS_POLICY). Nobody by default. */
  readonly accessPolicy: AccessPolicy;
  /** @default rbac */
  readonly kubernetesAccess: KubernetesAccessMode;
  /** POWERTOOLS_LOG_LEVEL. @default INFO */
  readonly logLevel: LogLevel;
  /** Whether requests may ask for uid or gid 0. @default false */
  readonly allowRootPosixUser: boolean;
  /**
   * Namespace network isolation (NAMESPACE_NETWORK_ISOLATION): a client security group per
   * cluster and namespace, put on the namespace's pods by a SecurityGroupPolicy, and each
   * volume's mount targets admit NFS from its namespace's group only, not the whole cluster
   * security group. Needs the cluster security group on every cluster (docs/configuration.md: Namespace
   * network isolation). @default false
   */
  readonly namespaceNetworkIsolation: boolean;
  /**
   * The default of a request's `verifyMount` (VERIFY_MOUNT): READY only after a Job in the
   * volume's namespace mounted the claim (docs/api.md: A mount proven before READY). @default false
   */
  readonly verifyMount: boolean;
  /**
   * The mount check Job's image, deadline, poll interval and resources (VERIFY_MOUNT_IMAGE,
   * VERIFY_MOUNT_TIMEOUT_SECONDS, VERIFY_MOUNT_POLL_SECONDS, VERIFY_MOUNT_CPU,
   * VERIFY_MOUNT_MEMORY); unset, the functions' defaults. @default {}
   */
  readonly mountCheck: Readonly<Partial<Record<MountCheckSetting, string | number>>>;
  /** KMS key for EFS data at rest. @default the AWS managed key aws/elasticfilesystem */
  readonly efsKmsKeyArn?: string;
  /**
   * A customer managed, symmetric KMS key (its ARN, in the stack's Region) for every log group
   * the stack creates; its key policy must allow CloudWatch Logs (infra/README.md).
   * @default CloudWatch Logs' own encryption at rest
   */
  readonly logsKmsKeyArn?: string;
  /**
   * The VPCs of the clusters, where the volumes' security groups and mount targets go.
   * CreateSecurityGroup, CreateNetworkInterface (on the subnet) and DeleteNetworkInterface are
   * allowed in these VPCs only (`ec2:Vpc` / the VPC's ARN). Required: a mount target's network
   * interface is EFS's, carries no tag of ours, and its VPC is the one condition IAM can check
   * when DeleteMountTarget deletes it ({@link VPC_IDS_REQUIRED}).
   */
  readonly vpcIds: readonly string[];
  /**
   * Workflow timing, each the environment variable functions/lib/config.ts reads; unset, the
   * functions' own defaults apply (documented there and in infra/README.md).
   */
  readonly workflow: Readonly<Partial<Record<WorkflowSetting, number>>>;
  /** The `source` of `Volume Provision Requested` events. @default efs-volumes.requests */
  readonly requestEventSource: string;
  /**
   * An existing event bus for requests and lifecycle events (e.g. `default`).
   * @default a new bus named after the stack
   */
  readonly eventBusName?: string;
  /**
   * Who may send `Volume Provision Requested` events: 12-digit account ids (any principal of
   * that account with events:PutEvents) and IAM role ARNs. Nobody by default: until this names
   * someone, every request event is rejected (`Volume Request Rejected`, `sender-not-allowed`).
   * The request function checks the event's sending account against it (REQUEST_SENDERS); the
   * stack's own bus also allows exactly these and denies the request source to everyone else,
   * roles included. With `eventBusName` only accounts may be named: an event names its sending
   * account, never the role, so a role can only be singled out by that bus's own policy.
   * An `events:<account>:<source>` rule of the access policy trusts every sender of that
   * account. @default [] (no request event is accepted)
   */
  readonly requestSenders: readonly string[];
  /**
   * Live volumes (any status but DELETED and FAILED) one cluster and namespace may hold
   * (MAX_VOLUMES_PER_NAMESPACE). @default 50
   */
  readonly maxVolumesPerNamespace: number;
  /** Live volumes one caller principal may hold, across clusters (MAX_VOLUMES_PER_CALLER). @default 100 */
  readonly maxVolumesPerCaller: number;
  /**
   * Free addresses a new volume's mount targets must leave in each cluster subnet they take
   * one from, for Fargate pods (SUBNET_ADDRESS_RESERVE). @default 16
   */
  readonly subnetAddressReserve: number;
  /**
   * Seconds a create-path execution environment reuses a passed preflight's AWS reads for the
   * same cluster and namespace (PREFLIGHT_CACHE_SECONDS). @default 10
   */
  readonly preflightCacheSeconds: number;
  /** Steady-state requests per second the API stage accepts. @default 20 */
  readonly apiRateLimit: number;
  /** Burst the API stage accepts. @default 40 */
  readonly apiBurstLimit: number;
  /**
   * An email address subscribed to the alarms' topic (it must confirm the subscription).
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /**
   * An existing SNS topic for the alarms, e.g. the on-call team's; its policy (and its KMS
   * key's, if encrypted) must let cloudwatch.amazonaws.com publish.
   * @default a new KMS-encrypted topic of the stack's own
   */
  readonly alarmTopicArn?: string;
  /**
   * Minutes between the scheduled drift checks of every READY volume (EventBridge Scheduler,
   * `rate(n minutes)`), a whole number from 1 to 1440. @default 15
   */
  readonly healthCheckMinutes: number;
  /**
   * Warm pool file systems per cluster (WARM_POOL), e.g. `{ "demo": 2 }`: each scheduled check
   * keeps that many ready file systems (policy, security group, mount targets), and a request
   * with the default file-system settings takes one (docs/configuration.md: Warm pool).
   * @default none
   */
  readonly warmPool: Readonly<Record<string, number>>;
}

export const CONTEXT_KEY = 'efs-volumes';

/** The workflow settings and the environment variables functions/lib/config.ts reads them from. */
export const WORKFLOW_SETTINGS = {
  mountTargetFirstWaitSeconds: 'MOUNT_TARGET_FIRST_WAIT_SECONDS',
  mountTargetDnsDelaySeconds: 'MOUNT_TARGET_DNS_DELAY_SECONDS',
  mountTargetPollSeconds: 'MOUNT_TARGET_POLL_SECONDS',
  mountTargetMaxChecks: 'MOUNT_TARGET_MAX_CHECKS',
  mountTargetLookAheadSeconds: 'MOUNT_TARGET_LOOK_AHEAD_SECONDS',
  mountTargetLookIntervalSeconds: 'MOUNT_TARGET_LOOK_INTERVAL_SECONDS',
  claimPollSeconds: 'CLAIM_POLL_SECONDS',
  claimMaxChecks: 'CLAIM_MAX_CHECKS',
} as const;

export type WorkflowSetting = keyof typeof WORKFLOW_SETTINGS;

/** The mount check's settings and the environment variables functions/lib/config.ts reads them from. */
export const MOUNT_CHECK_SETTINGS = {
  image: 'VERIFY_MOUNT_IMAGE',
  timeoutSeconds: 'VERIFY_MOUNT_TIMEOUT_SECONDS',
  pollSeconds: 'VERIFY_MOUNT_POLL_SECONDS',
  cpu: 'VERIFY_MOUNT_CPU',
  memory: 'VERIFY_MOUNT_MEMORY',
} as const;

export type MountCheckSetting = keyof typeof MOUNT_CHECK_SETTINGS;

/** The environment the mount check's settings give the steps: only what the configuration names. */
export function mountCheckEnvironment(
  config: Pick<ServiceConfig, 'mountCheck'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.mountCheck).map(([key, value]) => [
      MOUNT_CHECK_SETTINGS[key as MountCheckSetting],
      String(value),
    ]),
  );
}

/**
 * CheckMountTargets looks at the mount targets for up to its look-ahead (240 s by default)
 * inside one invocation, then makes one last look: its Lambda gets 300 s, and its Task 330 s
 * in statemachine/provision.asl.json.
 */
export const CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS = 300;
/** What a check needs beyond its look-ahead: the last look, and a cold start before the first. */
export const LOOK_AHEAD_MARGIN_SECONDS = 30;

/** The provisioning execution's time limit: statemachine/provision.asl.json's TimeoutSeconds. */
export const PROVISION_TIMEOUT_SECONDS: number = (
  JSON.parse(
    readFileSync(new URL('../statemachine/provision.asl.json', import.meta.url), 'utf8'),
  ) as { TimeoutSeconds: number }
).TimeoutSeconds;

/**
 * What an execution spends outside the mount-target waits, at most: the other steps with their
 * retries' backoff, and the rollback's own steps.
 */
export const OTHER_STEPS_RESERVE_SECONDS = 600;

/** The settings the mount-target waits take their length from. */
export type MountTargetWaits = Readonly<
  Record<
    | 'mountTargetFirstWaitSeconds'
    | 'mountTargetPollSeconds'
    | 'mountTargetLookAheadSeconds'
    | 'mountTargetMaxChecks',
    number
  >
>;

/**
 * The longest an execution can spend waiting for mount targets with these settings: the
 * provisioning wait (the first wait, then for each later check a poll, its look-ahead and the
 * margin) and, when it gives up, the rollback's wait for the deleted ones (a poll per check).
 */
export function mountTargetWaitWorstCaseSeconds(waits: MountTargetWaits): number {
  const checks = waits.mountTargetMaxChecks;
  const later = waits.mountTargetPollSeconds + waits.mountTargetLookAheadSeconds;
  const provisioning =
    waits.mountTargetFirstWaitSeconds + (checks - 1) * (later + LOOK_AHEAD_MARGIN_SECONDS);
  const rollback = checks * (waits.mountTargetPollSeconds + LOOK_AHEAD_MARGIN_SECONDS);
  return provisioning + rollback;
}

/**
 * The most mount-target checks the provisioning execution's time limit allows with these
 * waits: enough that a mount target that never comes ends in a clean rollback (FAILED,
 * MountTargetsTimeoutError), never in an execution TIMED_OUT halfway through its steps.
 */
export function maxMountTargetChecks(
  waits: Omit<MountTargetWaits, 'mountTargetMaxChecks'>,
  timeoutSeconds = PROVISION_TIMEOUT_SECONDS,
): number {
  let checks = 0;
  while (
    mountTargetWaitWorstCaseSeconds({ ...waits, mountTargetMaxChecks: checks + 1 }) +
      OTHER_STEPS_RESERVE_SECONDS <=
    timeoutSeconds
  ) {
    checks += 1;
  }
  return checks;
}

/** A workflow setting as the functions will see it: the stack's, else the functions' default. */
function effective(workflow: Partial<Record<WorkflowSetting, number>>, key: WorkflowSetting) {
  return workflow[key] ?? SETTINGS[WORKFLOW_SETTINGS[key]].default;
}

/**
 * Why a stack without `vpcIds` is refused. EFS deletes a mount target's requester-managed
 * network interface with the caller's `ec2:DeleteNetworkInterface`; the Service Authorization
 * Reference gives that action on a network interface no key this stack could know without
 * being told (`ec2:Vpc`, `ec2:Subnet`, tags EFS does not set), and EFS documents no
 * `aws:ViaAWSService`/`aws:CalledVia` for it. Unscoped, the role could delete any detached
 * interface of the account.
 */
export const VPC_IDS_REQUIRED =
  "vpcIds is required: list the VPC ids (vpc-…) of the clusters' VPCs. The functions may create security groups and network interfaces, and delete network interfaces, in those VPCs only (the mount targets' interfaces carry no tag IAM could check instead)";

/** The defaults of every setting that has one (`vpcIds` has none: see {@link VPC_IDS_REQUIRED}). */
export const DEFAULT_CONFIG: Omit<ServiceConfig, 'vpcIds'> = {
  clusters: [],
  accessPolicy: { rules: [] },
  kubernetesAccess: 'rbac',
  logLevel: 'INFO',
  allowRootPosixUser: false,
  namespaceNetworkIsolation: false,
  verifyMount: false,
  mountCheck: {},
  workflow: {},
  requestEventSource: 'efs-volumes.requests',
  requestSenders: [],
  apiRateLimit: 20,
  apiBurstLimit: 40,
  healthCheckMinutes: 15,
  // One default for the stack and the functions: functions/lib/settings.ts declares it.
  maxVolumesPerNamespace: SETTINGS.MAX_VOLUMES_PER_NAMESPACE.default,
  maxVolumesPerCaller: SETTINGS.MAX_VOLUMES_PER_CALLER.default,
  subnetAddressReserve: SETTINGS.SUBNET_ADDRESS_RESERVE.default,
  preflightCacheSeconds: SETTINGS.PREFLIGHT_CACHE_SECONDS.default,
  warmPool: {},
};

/** Whether some cluster keeps a warm pool: only then may the functions make or take members. */
export function hasWarmPool(config: Pick<ServiceConfig, 'warmPool'>): boolean {
  return Object.values(config.warmPool).some((size) => size > 0);
}

/** A pool larger than this is a typo: each member is a file system and a mount target per zone. */
export const MAX_WARM_POOL_SIZE = 20;

/**
 * The create path's whole-number settings (quotas, the subnet reserve, the preflight's reuse)
 * and the environment variables it reads them from.
 */
export const QUOTA_SETTINGS = {
  maxVolumesPerNamespace: 'MAX_VOLUMES_PER_NAMESPACE',
  maxVolumesPerCaller: 'MAX_VOLUMES_PER_CALLER',
  subnetAddressReserve: 'SUBNET_ADDRESS_RESERVE',
  preflightCacheSeconds: 'PREFLIGHT_CACHE_SECONDS',
} as const;

/** A configuration that cannot be deployed; the message names the setting. */
export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
}

const MAX_ACCESS_POLICY_CHARS = 3000;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const NUMBER_SETTINGS = ['apiRateLimit', 'apiBurstLimit'] as const;
// Enough to refuse a typo; SNS itself checks the address when it sends the confirmation.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
// Not a FIFO topic: alarm actions cannot publish to one.
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function parseWorkflow(raw: unknown): Partial<Record<WorkflowSetting, number>> {
  if (!isRecord(raw)) throw new ServiceConfigError('workflow must be an object');
  const known = Object.keys(WORKFLOW_SETTINGS);
  const workflow: Partial<Record<WorkflowSetting, number>> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key)) {
      throw new ServiceConfigError(`unknown workflow setting ${key} (known: ${known.join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ServiceConfigError(`workflow.${key} must be a non-negative number`);
    }
    workflow[key as WorkflowSetting] = value;
  }
  // One check looks ahead inside one invocation: it must end before its Lambda's timeout.
  const maxLookAhead = CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS - LOOK_AHEAD_MARGIN_SECONDS;
  if ((workflow.mountTargetLookAheadSeconds ?? 0) > maxLookAhead) {
    throw new ServiceConfigError(
      `workflow.mountTargetLookAheadSeconds must be at most ${maxLookAhead} (CheckMountTargets' Lambda timeout is ${CHECK_MOUNT_TARGETS_TIMEOUT_SECONDS} s)`,
    );
  }
  // The waits must end (and a rollback run) within the execution's time limit.
  const waits = {
    mountTargetFirstWaitSeconds: effective(workflow, 'mountTargetFirstWaitSeconds'),
    mountTargetPollSeconds: effective(workflow, 'mountTargetPollSeconds'),
    mountTargetLookAheadSeconds: effective(workflow, 'mountTargetLookAheadSeconds'),
  };
  const checks = effective(workflow, 'mountTargetMaxChecks');
  const allowed = maxMountTargetChecks(waits);
  if (checks > allowed) {
    throw new ServiceConfigError(
      `workflow.mountTargetMaxChecks is ${checks}, but with these waits at most ${allowed} checks end within the provisioning execution's ${PROVISION_TIMEOUT_SECONDS} s limit (statemachine/provision.asl.json TimeoutSeconds) with time for a rollback; beyond it a slow mount target ends the execution TIMED_OUT instead of rolling back`,
    );
  }
  return workflow;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi)?$/;

function parseMountCheck(raw: unknown): void {
  if (!isRecord(raw)) throw new ServiceConfigError('mountCheck must be an object');
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(MOUNT_CHECK_SETTINGS, key)) {
      throw new ServiceConfigError(
        `unknown mountCheck setting ${key} (known: ${Object.keys(MOUNT_CHECK_SETTINGS).join(', ')})`,
      );
    }
    const number = key === 'timeoutSeconds' || key === 'pollSeconds';
    if (number && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      throw new ServiceConfigError(
        `mountCheck.${key} must be a whole number of seconds, 1 or more`,
      );
    }
    if (key === 'image' && (typeof value !== 'string' || !/^[^\s]+[:@][^\s]+$/.test(value))) {
      throw new ServiceConfigError('mountCheck.image must be an image with a tag or digest');
    }
    if (
      (key === 'cpu' || key === 'memory') &&
      (typeof value !== 'string' || !QUANTITY.test(value))
    ) {
      throw new ServiceConfigError(`mountCheck.${key} must be a Kubernetes quantity (250m, 64Mi)`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseNetwork(raw: unknown, where: string): KubernetesNetwork {
  if (!isRecord(raw)) throw new ServiceConfigError(`${where} must be an object`);
  const { vpcId, subnetIds, securityGroupId } = raw;
  if (typeof vpcId !== 'string' || !/^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(vpcId)) {
    throw new ServiceConfigError(`${where}.vpcId must be a VPC id (vpc-…)`);
  }
  if (
    !Array.isArray(subnetIds) ||
    subnetIds.length === 0 ||
    !subnetIds.every(
      (id) => typeof id === 'string' && /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id),
    )
  ) {
    throw new ServiceConfigError(`${where}.subnetIds must be a non-empty list of subnet ids`);
  }
  if (
    securityGroupId !== undefined &&
    (typeof securityGroupId !== 'string' ||
      !/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(securityGroupId))
  ) {
    throw new ServiceConfigError(`${where}.securityGroupId must be a security group id (sg-…)`);
  }
  return {
    vpcId,
    subnetIds: subnetIds as string[],
    ...(securityGroupId ? { securityGroupId } : {}),
  };
}

function parseRequestSenders(raw: unknown): string[] {
  // The same check the request function makes on REQUEST_SENDERS, so what deploys also loads.
  if (!Array.isArray(raw) || !raw.every(isRequestSender)) {
    throw new ServiceConfigError(
      'requestSenders must be a list of account ids (123456789012) and IAM role ARNs (arn:aws:iam::123456789012:role/name)',
    );
  }
  return raw as string[];
}

function parseClusters(raw: unknown): ClusterConfig[] {
  if (!Array.isArray(raw)) throw new ServiceConfigError('clusters must be a list');
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const cluster = typeof entry === 'string' ? { name: entry } : entry;
    if (
      !isRecord(cluster) ||
      typeof cluster.name !== 'string' ||
      !CLUSTER_NAME.test(cluster.name)
    ) {
      throw new ServiceConfigError(`clusters[${index}].name must be an EKS cluster name`);
    }
    if (seen.has(cluster.name)) {
      throw new ServiceConfigError(`clusters[${index}]: ${cluster.name} is listed twice`);
    }
    seen.add(cluster.name);
    return {
      name: cluster.name,
      ...(cluster.vpc === undefined
        ? {}
        : { vpc: parseNetwork(cluster.vpc, `clusters[${index}].vpc`) }),
    };
  });
}

/**
 * Reads the `efs-volumes` context value (an object, or its JSON when given with
 * `-c efs-volumes='{…}'`) over the defaults, and refuses what would not deploy or run.
 *
 * @throws ServiceConfigError naming the first wrong setting
 */
export function parseServiceConfig(raw: unknown): ServiceConfig {
  const given = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : (raw ?? {});
  if (!isRecord(given)) throw new ServiceConfigError(`${CONTEXT_KEY} must be an object`);
  const known = new Set([
    ...Object.keys(DEFAULT_CONFIG),
    'efsKmsKeyArn',
    'logsKmsKeyArn',
    'eventBusName',
    'alarmEmail',
    'alarmTopicArn',
    'vpcIds',
  ]);
  const unknown = Object.keys(given).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ServiceConfigError(`unknown ${CONTEXT_KEY} setting(s): ${unknown.join(', ')}`);
  }
  const config = { ...DEFAULT_CONFIG, ...given } as Record<string, unknown>;

  for (const key of NUMBER_SETTINGS) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ServiceConfigError(`${key} must be a non-negative number`);
    }
  }
  for (const key of Object.keys(QUOTA_SETTINGS) as (keyof typeof QUOTA_SETTINGS)[]) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new ServiceConfigError(`${key} must be a whole number, 0 or more`);
    }
  }
  const pools = config.warmPool;
  if (
    !isRecord(pools) ||
    !Object.values(pools).every(
      (size) =>
        typeof size === 'number' &&
        Number.isInteger(size) &&
        size >= 0 &&
        size <= MAX_WARM_POOL_SIZE,
    )
  ) {
    throw new ServiceConfigError(
      `warmPool must map cluster names to whole numbers from 0 to ${MAX_WARM_POOL_SIZE}`,
    );
  }
  const minutes = config.healthCheckMinutes;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new ServiceConfigError('healthCheckMinutes must be a whole number from 1 to 1440');
  }
  if (!LOG_LEVELS.includes(config.logLevel as LogLevel)) {
    throw new ServiceConfigError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (config.kubernetesAccess !== 'rbac' && config.kubernetesAccess !== 'cluster-admin') {
    throw new ServiceConfigError('kubernetesAccess must be rbac or cluster-admin');
  }
  if (typeof config.allowRootPosixUser !== 'boolean') {
    throw new ServiceConfigError('allowRootPosixUser must be true or false');
  }
  if (typeof config.namespaceNetworkIsolation !== 'boolean') {
    throw new ServiceConfigError('namespaceNetworkIsolation must be true or false');
  }
  if (typeof config.verifyMount !== 'boolean') {
    throw new ServiceConfigError('verifyMount must be true or false');
  }
  parseMountCheck(config.mountCheck);
  if (typeof config.requestEventSource !== 'string' || config.requestEventSource === '') {
    throw new ServiceConfigError('requestEventSource must be a non-empty string');
  }
  if (config.requestEventSource.startsWith('aws.')) {
    throw new ServiceConfigError(
      'requestEventSource cannot start with aws.: EventBridge reserves it',
    );
  }
  if (
    config.efsKmsKeyArn !== undefined &&
    (typeof config.efsKmsKeyArn !== 'string' || !config.efsKmsKeyArn.startsWith('arn:'))
  ) {
    throw new ServiceConfigError('efsKmsKeyArn must be a KMS key ARN');
  }
  // CloudWatch Logs takes a key ARN only (no alias, no bare key id).
  if (
    config.logsKmsKeyArn !== undefined &&
    (typeof config.logsKmsKeyArn !== 'string' || !KMS_KEY_ARN.test(config.logsKmsKeyArn))
  ) {
    throw new ServiceConfigError(
      'logsKmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    );
  }
  if (
    config.vpcIds !== undefined &&
    (!Array.isArray(config.vpcIds) ||
      !config.vpcIds.every(
        (id) => typeof id === 'string' && /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id),
      ))
  ) {
    throw new ServiceConfigError('vpcIds must be a list of VPC ids (vpc-…)');
  }
  if (
    config.eventBusName !== undefined &&
    (typeof config.eventBusName !== 'string' || config.eventBusName === '')
  ) {
    throw new ServiceConfigError('eventBusName must be an event bus name');
  }
  if (
    config.alarmEmail !== undefined &&
    (typeof config.alarmEmail !== 'string' || !EMAIL.test(config.alarmEmail))
  ) {
    throw new ServiceConfigError('alarmEmail must be an email address');
  }
  if (
    config.alarmTopicArn !== undefined &&
    (typeof config.alarmTopicArn !== 'string' || !SNS_TOPIC_ARN.test(config.alarmTopicArn))
  ) {
    throw new ServiceConfigError('alarmTopicArn must be an SNS topic ARN (arn:aws:sns:…)');
  }
  const requestSenders = parseRequestSenders(config.requestSenders);
  const roleSenders = requestSenders.filter((sender) => !isAccountSender(sender));
  if (roleSenders.length > 0 && config.eventBusName !== undefined) {
    throw new ServiceConfigError(
      `requestSenders names roles (${roleSenders.join(', ')}), which only the stack's own bus can single out: with eventBusName, name their accounts here and restrict the roles in that bus's own policy`,
    );
  }
  let accessPolicy: AccessPolicy;
  try {
    // The same parser the functions use on ACCESS_POLICY, so a policy that deploys also loads.
    accessPolicy = accessPolicyFromEnvironment(JSON.stringify(config.accessPolicy));
  } catch (error) {
    throw new ServiceConfigError(`accessPolicy: ${(error as Error).message}`, { cause: error });
  }
  // Lambda allows 4 KB of environment in all; the request function holds both the policy and
  // the senders, beside the other settings.
  if (
    JSON.stringify(accessPolicy).length + JSON.stringify(requestSenders).length >
    MAX_ACCESS_POLICY_CHARS
  ) {
    throw new ServiceConfigError(
      `accessPolicy and requestSenders are over ${MAX_ACCESS_POLICY_CHARS} characters of JSON together, too much for a Lambda environment: use wildcards (a trailing * in caller), or name accounts rather than each of their roles`,
    );
  }
  const clusters = parseClusters(config.clusters);
  kubernetesNetworkOf(clusters);
  const workflow = parseWorkflow(config.workflow);
  // Last, so a configuration with another mistake hears of that one first.
  if (config.vpcIds === undefined || config.vpcIds.length === 0) {
    throw new ServiceConfigError(VPC_IDS_REQUIRED);
  }
  return {
    ...(config as unknown as ServiceConfig),
    clusters,
    accessPolicy,
    workflow,
    requestSenders,
  };
}

/**
 * The one network placement of the Kubernetes-calling functions, from the clusters that ask
 * for one. A Lambda function lives in at most one VPC, so two different placements cannot
 * both be served.
 *
 * @throws ServiceConfigError when clusters ask for different placements
 */
export function kubernetesNetworkOf(
  clusters: readonly ClusterConfig[],
): KubernetesNetwork | undefined {
  const placements = clusters.flatMap((cluster) => (cluster.vpc ? [cluster.vpc] : []));
  const [first, ...others] = placements;
  const same = (a: KubernetesNetwork, b: KubernetesNetwork) =>
    a.vpcId === b.vpcId &&
    a.securityGroupId === b.securityGroupId &&
    [...a.subnetIds].sort().join() === [...b.subnetIds].sort().join();
  if (first && others.some((other) => !same(first, other))) {
    throw new ServiceConfigError(
      'clusters name different vpc placements; the Kubernetes functions can run in only one',
    );
  }
  return first;
}
