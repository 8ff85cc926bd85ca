import type { components } from '../../generated/openapi-types.ts';

/** A limit and its usage (openapi.yaml `QuotaUsage`). */
type QuotaUsage = components['schemas']['QuotaUsage'];

/**
 * RFC 9457 problem details. Every error the API answers is one of these, with a stable
 * `type` URI a client can branch on.
 */
export const PROBLEM_BASE = 'https://efs-volumes.dev/problems/';

export interface ProblemField {
  readonly field: string;
  readonly message: string;
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemField[];
  /** A repair's refusal: the findings that stop it (openapi.yaml `Problem.findings`). */
  readonly findings?: readonly unknown[];
  /** A refusal over a quota: the limit and its usage (openapi.yaml `Problem.quota`). */
  readonly quota?: QuotaUsage;
}

/** An error the API answers as problem+json; `expose` as in middy's HttpError. */
export class ProblemError extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors: readonly ProblemField[] | undefined;
  readonly findings: readonly unknown[] | undefined;
  readonly quota: QuotaUsage | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly expose = true;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options: {
      errors?: readonly ProblemField[];
      findings?: readonly unknown[];
      quota?: QuotaUsage;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = options.errors;
    this.findings = options.findings;
    this.quota = options.quota;
    this.headers = options.headers ?? {};
  }

  toDocument(instance?: string): ProblemDocument {
    return {
      type: `${PROBLEM_BASE}${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
      ...(this.findings && this.findings.length > 0 ? { findings: this.findings } : {}),
      ...(this.quota ? { quota: this.quota } : {}),
    };
  }
}

export const problems = {
  invalidRequest: (detail: string, errors?: readonly ProblemField[]) =>
    new ProblemError(400, 'invalid-request', 'Invalid request', detail, errors ? { errors } : {}),
  malformedJson: (detail: string) =>
    new ProblemError(400, 'malformed-json', 'Malformed JSON', detail),
  payloadTooLarge: (limit: number) =>
    new ProblemError(
      413,
      'payload-too-large',
      'Payload too large',
      `the body is over ${limit} bytes`,
    ),
  unsupportedMediaType: (got: string) =>
    new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `expected application/json, got ${got || 'none'}`,
    ),
  forbidden: (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail),
  senderNotAllowed: (detail: string) =>
    new ProblemError(403, 'sender-not-allowed', 'Sender not allowed', detail),
  sharedFileSystemOpen: (fileSystemId: string, gaps: readonly string[]) =>
    new ProblemError(
      403,
      'shared-file-system-open',
      'Shared file system open',
      `file system ${fileSystemId} is not closed to anonymous clients: ${gaps.join('; ')}. Its owner must put a file system policy that denies every principal ("*") all actions when aws:SecureTransport is false, and allows ClientMount and ClientRootAccess to "*" only with an elasticfilesystem:AccessPointArn condition (docs/configuration.md, Shared file systems, has an example)`,
    ),
  recoveryPointUnknown: (recoveryPointArn: string, volumeId: string, fileSystemId: string) =>
    new ProblemError(
      422,
      'recovery-point-unknown',
      'Recovery point unknown',
      `${recoveryPointArn} is not a recovery point of file system ${fileSystemId}, volume ${volumeId}'s (GET /volumes/${volumeId}/recovery-points lists them)`,
    ),
  recoveryPointNotInVault: (recoveryPointArn: string, backupVaultName: string) =>
    new ProblemError(
      422,
      'recovery-point-unknown',
      'Recovery point unknown',
      `${recoveryPointArn} is not a recovery point in the backup vault ${backupVaultName}, where EFS keeps its automatic backups; for one in another vault, name the volume it was taken of too (restoreFrom.volumeId)`,
    ),
  recoveryPointMismatch: (recoveryPointArn: string, volumeId: string, fileSystemId: string) =>
    new ProblemError(
      422,
      'recovery-point-mismatch',
      'Recovery point of another volume',
      `${recoveryPointArn} was taken of another file system than ${fileSystemId}, volume ${volumeId}'s: leave restoreFrom.volumeId out to restore the volume it was taken of, or pick one of GET /volumes/${volumeId}/recovery-points`,
    ),
  /**
   * A restore named by its recovery point alone whose file system is no volume's the caller may
   * read: as GET answers a volume it may not see, without naming the volume.
   */
  restoreSourceNotFound: (recoveryPointArn: string) =>
    new ProblemError(
      404,
      'volume-not-found',
      'Volume not found',
      `no volume you may read is the one ${recoveryPointArn} was taken of (the volume of a file system deleted since is found only by its id: restoreFrom.volumeId)`,
    ),
  noOwnFileSystem: (id: string, why: string) =>
    new ProblemError(
      409,
      'no-own-file-system',
      'No file system of its own',
      `volume ${id} ${why}: it has no recovery points this service may restore`,
    ),
  volumeNotFound: (id: string) =>
    new ProblemError(404, 'volume-not-found', 'Volume not found', `no volume ${id}`),
  routeNotFound: (path: string) =>
    new ProblemError(404, 'not-found', 'Not found', `no route for ${path}`),
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new ProblemError(
      405,
      'method-not-allowed',
      'Method not allowed',
      `${method} is not allowed here`,
      {
        headers: { Allow: allowed.join(', ') },
      },
    ),
  idempotencyKeyReused: (key: string) =>
    new ProblemError(
      409,
      'idempotency-key-reused',
      'Idempotency key reused',
      `Idempotency-Key "${key}" was used with another request body`,
    ),
  claimHeld: (namespace: string, name: string, volumeId: string | undefined) =>
    new ProblemError(
      409,
      'claim-exists',
      'Claim exists',
      `claim ${namespace}/${name} belongs to ${volumeId ? `volume ${volumeId}` : 'another volume'}; delete it first or choose another name`,
    ),
  claimExists: (namespace: string, name: string) =>
    new ProblemError(
      409,
      'claim-exists',
      'Claim exists',
      `a PersistentVolumeClaim ${namespace}/${name} already exists`,
    ),
  pathInUse: (detail: string) => new ProblemError(409, 'path-in-use', 'Path in use', detail),
  volumeInUse: (detail: string) => new ProblemError(409, 'volume-in-use', 'Volume in use', detail),
  volumeBusy: (detail: string) => new ProblemError(409, 'volume-busy', 'Volume busy', detail),
  volumeNotRepairable: (detail: string, findings: readonly unknown[]) =>
    new ProblemError(422, 'volume-not-repairable', 'Volume not repairable', detail, { findings }),
  clusterNotFound: (detail: string) =>
    new ProblemError(422, 'cluster-not-found', 'Cluster not found', detail),
  clusterNotActive: (detail: string) =>
    new ProblemError(422, 'cluster-not-active', 'Cluster not active', detail),
  vpcDnsDisabled: (vpcId: string, attributes: readonly string[]) =>
    new ProblemError(
      422,
      'vpc-dns-disabled',
      'VPC DNS disabled',
      `the cluster VPC ${vpcId} has ${attributes.join(' and ')} off, so Fargate pods cannot resolve the file system's DNS name: turn ${attributes.length > 1 ? 'them' : 'it'} on (${attributes.map((attribute) => `aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --${attribute === 'enableDnsSupport' ? 'enable-dns-support' : 'enable-dns-hostnames'} '{"Value":true}'`).join('; ')}) and retry`,
    ),
  subnetAddressReserve: (
    subnets: readonly {
      subnetId: string;
      availabilityZone: string;
      availableAddresses: number;
      reserve: number;
    }[],
  ) =>
    new ProblemError(
      422,
      'subnet-address-reserve',
      'Subnet address reserve',
      `a mount target takes one address in each zone's cluster subnet, which would leave ${subnets.map((subnet) => `${subnet.subnetId} (${subnet.availabilityZone}) ${Math.max(0, subnet.availableAddresses - 1)} free`).join(', ')}: fewer than the ${subnets[0]?.reserve ?? 0} kept for Fargate pods (SUBNET_ADDRESS_RESERVE); free addresses there, or use a file system that has its mount targets (fileSystemId)`,
    ),
  quotaExceeded: (usage: QuotaUsage) =>
    new ProblemError(
      429,
      'quota-exceeded',
      'Quota exceeded',
      `${usage.scope === 'namespace' ? `cluster and namespace ${usage.subject}` : `caller ${usage.subject}`} has ${usage.usage} live volume(s) and may have ${usage.limit} (${usage.scope === 'namespace' ? 'MAX_VOLUMES_PER_NAMESPACE' : 'MAX_VOLUMES_PER_CALLER'}); nothing was created: delete a volume first, or ask an operator to raise the limit`,
      { quota: usage },
    ),
  namespaceNotFound: (namespace: string) =>
    new ProblemError(
      422,
      'namespace-not-found',
      'Namespace not found',
      `namespace ${namespace} does not exist`,
    ),
  clusterAccessDenied: (status: number, cause?: unknown) =>
    new ProblemError(
      502,
      'cluster-access-denied',
      'Cluster access denied',
      `the cluster's Kubernetes API refused this service (HTTP ${status}): its access entry or RBAC is missing (see infra/README.md)`,
      { cause },
    ),
  unavailable: (detail: string, cause?: unknown) =>
    new ProblemError(503, 'unavailable', 'Service unavailable', detail, {
      headers: { 'Retry-After': '5' },
      cause,
    }),
  internal: (
    cause?: unknown,
    detail = 'an unexpected error; retry with the same Idempotency-Key',
  ) => new ProblemError(500, 'internal', 'Internal error', detail, { cause }),
} as const;
