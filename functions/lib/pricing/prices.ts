// What a volume costs, from AWS's public prices: one dated table, and the functions that
// price things from it. The plan (`dryRun`) shows a volume's provisioning cost and its monthly
// cost at zero bytes and per GB stored; the bench prices its runs from the same table.

/** A Region's prices, in US dollars. */
export interface RegionPrices {
  /** EFS storage per GB-month, by storage class (Regional file systems). */
  readonly efsStorageGbMonth: {
    readonly standard: number;
    readonly infrequentAccess: number;
    readonly archive: number;
  };
  /** EFS elastic throughput, per GB transferred. */
  readonly efsElasticThroughputGb: { readonly read: number; readonly write: number };
  /** Step Functions Standard workflows, per state transition. */
  readonly stepFunctionsTransition: number;
  /** Lambda on arm64: per GB-second of billed duration, and per request. */
  readonly lambdaArm64GbSecond: number;
  readonly lambdaRequest: number;
  /** AWS Backup, per GB restored from an EFS recovery point in warm storage. */
  readonly backupEfsRestoreGb: number;
}

/**
 * The prices the service quotes, with the day they were read and where. A Region not listed
 * is priced as none: the plan says so rather than guess.
 */
export const PRICE_TABLE = {
  readOn: '2026-12-06',
  sources: [
    'https://aws.amazon.com/efs/pricing/',
    'https://aws.amazon.com/step-functions/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/backup/pricing/',
  ],
  regions: {
    'us-east-1': {
      efsStorageGbMonth: { standard: 0.3, infrequentAccess: 0.016, archive: 0.008 },
      efsElasticThroughputGb: { read: 0.03, write: 0.06 },
      stepFunctionsTransition: 0.025 / 1000,
      lambdaArm64GbSecond: 0.0000133334,
      lambdaRequest: 0.2 / 1_000_000,
      backupEfsRestoreGb: 0.02,
    },
  } as Readonly<Record<string, RegionPrices>>,
} as const;

/** A Region's prices, or undefined when the table has none. */
export function pricesIn(region: string): RegionPrices | undefined {
  return PRICE_TABLE.regions[region];
}

/** A GB-month, as EFS bills it: 2^30 bytes stored for a month. */
const BYTES_PER_GB = 1024 ** 3;

/** A month's storage of `bytes` in EFS Standard, the class every volume's data starts in. */
export function monthlyStorageUsd(bytes: number, prices: RegionPrices): number {
  return (Math.max(0, bytes) / BYTES_PER_GB) * prices.efsStorageGbMonth.standard;
}

/** What one provisioning run uses: state transitions, and Lambda requests and GB-seconds. */
export interface ProvisioningUsage {
  readonly transitions: number;
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
}

/** The cost of a provisioning run's usage. */
export function provisioningUsd(usage: ProvisioningUsage, prices: RegionPrices): number {
  return (
    usage.transitions * prices.stepFunctionsTransition +
    usage.lambdaRequests * prices.lambdaRequest +
    usage.lambdaGbSeconds * prices.lambdaArm64GbSecond
  );
}

/**
 * A provisioning run's usage by path, as `npm run bench -- --only=model` measures it (the mean
 * over 200 simulated provisions under the AWS model: bench/results.json `modelDetail.today`
 * and `.pool`). A new file system waits for its mount targets; a warm pool member's, like a
 * shared file system's, exist and are past their DNS delay, so the workflow runs straight
 * through. test/unit/pricing.test.ts holds these to the bench's figures.
 */
export const PROVISIONING_USAGE: Readonly<Record<'new' | 'pool' | 'shared', ProvisioningUsage>> = {
  new: { transitions: 17.775, lambdaRequests: 11.035, lambdaGbSeconds: 8.2512 },
  pool: { transitions: 13, lambdaRequests: 9, lambdaGbSeconds: 0.2752 },
  shared: { transitions: 13, lambdaRequests: 9, lambdaGbSeconds: 0.2752 },
};

/**
 * One more look of a restore step that waits (CheckRestoreJob every 30 s while AWS Backup
 * restores, FindRestoreDirectory while the listing pod runs): its Task, Choice and Wait
 * states, and one Lambda request of a step's mean GB-seconds (the pool path's, whose steps
 * wait for nothing).
 */
export const RESTORE_LOOK_USAGE: ProvisioningUsage = {
  transitions: 3,
  lambdaRequests: 1,
  lambdaGbSeconds: PROVISIONING_USAGE.pool.lambdaGbSeconds / PROVISIONING_USAGE.pool.lambdaRequests,
};

/**
 * What a restore adds to the new path's states, at their fewest looks
 * (statemachine/provision.asl.json): StartRestoreJob; one look at a restore job already done
 * (CheckRestoreJob, RestoreCompleted?); the rest of the DNS delay waited in the check loop
 * (Wait, CheckMountTargets, MountTargetsAvailable?) where the new path has one Wait; the
 * listing started (FindRestoreDirectory, RestoreDirectoryFound?, WaitForRestoreListing) and
 * one look at it done (FindRestoreDirectory, RestoreDirectoryFound?); then CreateAccessPoint
 * again, and CheckMountTargets (done) and its choice. 13 transitions, 7 Lambda requests. A
 * restore job takes minutes: each look past the first adds RESTORE_LOOK_USAGE. Not counted:
 * the listing pod's Fargate minute.
 */
export const RESTORE_STEPS_USAGE: ProvisioningUsage = {
  transitions: 13,
  lambdaRequests: 7,
  lambdaGbSeconds: 7 * RESTORE_LOOK_USAGE.lambdaGbSeconds,
};

/** What a restore adds to a volume's cost (openapi.yaml `RestoreCost`). */
export interface RestoreCost {
  /** AWS Backup's charge per GB restored (EFS, warm storage): most of a restore's cost. */
  readonly perGbUsd: number;
  /** Each look past the first at the running restore job (every 30 s). */
  readonly perRestoreJobLookUsd: number;
}

/** What the plan says a volume costs (openapi.yaml `VolumeCost`). */
export interface VolumeCost {
  readonly region: string;
  readonly pricesReadOn: string;
  /** One provisioning run, on the path the plan takes. */
  readonly provisioningUsd: number;
  /**
   * A month of the volume's own resources with no data: an access point, a security group and
   * mount targets are free, and an empty file system stores almost nothing.
   */
  readonly monthlyAtZeroBytesUsd: number;
  /** Each GB stored a month (EFS Standard, where data lands first). */
  readonly monthlyPerGbUsd: number;
  /** A restore's own charges; provisioningUsd counts its steps at their fewest looks. */
  readonly restore?: RestoreCost;
}

function sum(a: ProvisioningUsage, b: ProvisioningUsage): ProvisioningUsage {
  return {
    transitions: a.transitions + b.transitions,
    lambdaRequests: a.lambdaRequests + b.lambdaRequests,
    lambdaGbSeconds: a.lambdaGbSeconds + b.lambdaGbSeconds,
  };
}

/**
 * The cost of a volume on `path` in `region`, or undefined where the table has no prices.
 *
 * @param options.restore - a restore from a recovery point (always a new file system)
 */
export function volumeCost(
  path: keyof typeof PROVISIONING_USAGE,
  region: string,
  options: { readonly restore?: boolean } = {},
): VolumeCost | undefined {
  const prices = pricesIn(region);
  if (!prices) return undefined;
  const usage = options.restore
    ? sum(PROVISIONING_USAGE[path], RESTORE_STEPS_USAGE)
    : PROVISIONING_USAGE[path];
  return {
    region,
    pricesReadOn: PRICE_TABLE.readOn,
    provisioningUsd: provisioningUsd(usage, prices),
    monthlyAtZeroBytesUsd: 0,
    monthlyPerGbUsd: prices.efsStorageGbMonth.standard,
    ...(options.restore
      ? {
          restore: {
            perGbUsd: prices.backupEfsRestoreGb,
            perRestoreJobLookUsd: provisioningUsd(RESTORE_LOOK_USAGE, prices),
          },
        }
      : {}),
  };
}

/**
 * A volume with the monthly cost of its metered size, where it has one and the Region has
 * prices (the API's reads add it; the record keeps only what EFS metered).
 */
export function withMonthlyCost<
  Shown extends { readonly size?: { readonly meteredBytes: number } },
>(volume: Shown, region: string | undefined): Shown {
  const prices = region ? pricesIn(region) : undefined;
  if (!volume.size || !prices) return volume;
  return {
    ...volume,
    size: { ...volume.size, monthlyUsd: monthlyStorageUsd(volume.size.meteredBytes, prices) },
  };
}
