// Whether a pod can mount an EFS access point, by the rules AWS documents, and what the mount
// prints when it cannot (efs-utils and mount.nfs4, as the EFS CSI driver's FailedMount event
// carries them). Pure: local/efs-mounts.ts gathers the facts from the AWS model and moto.
//
// The rules, in the order a mount meets them:
// 1. DNS: efs-utils mounts `<fs>.efs.<region>.amazonaws.com`, which resolves only to a mount
//    target in the client's Availability Zone, only once that mount target is `available` and
//    its DNS record has propagated (AWS: up to 90 s after creation), and never for a file system
//    that is not `available` (or is gone).
// 2. Network: the mount target's security groups must admit TCP 2049 (NFS) from the pod: a
//    rule naming one of the pod's security groups, or a CIDR holding its address; otherwise the
//    connection times out.
// 3. Access: the access point must exist on that file system and be `available`, and the file
//    system policy (none: every client that reaches a mount target may mount and write) must
//    allow `elasticfilesystem:ClientMount` to an anonymous client (the CSI driver mounts without
//    IAM unless asked) over TLS through that access point; otherwise the server denies it.
// 4. Writes: without `elasticfilesystem:ClientWrite` the mount is read-only.

import { wildcardMatches } from '../../functions/lib/wildcards.ts';

/** One inbound rule of a security group, as DescribeSecurityGroups lists it. */
export interface IngressRule {
  /** `tcp`, `udp`, `icmp` or `-1` (all). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly sourceGroupIds: readonly string[];
  readonly cidrs: readonly string[];
}

export interface MountTargetFacts {
  readonly id: string;
  readonly availabilityZone: string;
  readonly state: string;
  readonly securityGroupIds: readonly string[];
  /** Its DNS name resolves by now (undefined: unknown, taken as resolving). */
  readonly resolves?: boolean;
}

/** An IAM policy document, as DescribeFileSystemPolicy returns it (parsed). */
export interface PolicyDocument {
  readonly Statement?: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface EfsMountFacts {
  readonly region: string;
  readonly fileSystemId: string;
  /** Undefined when the file system does not exist (or is gone). */
  readonly fileSystem?: { readonly state: string; readonly arn: string };
  readonly accessPointId: string;
  /** Undefined when the access point does not exist. */
  readonly accessPoint?: {
    readonly state: string;
    readonly arn: string;
    readonly fileSystemId: string;
  };
  readonly pod: {
    readonly availabilityZone: string;
    readonly address: string;
    readonly securityGroupIds: readonly string[];
  };
  readonly mountTargets: readonly MountTargetFacts[];
  /** The inbound rules of each security group the mount targets carry. */
  readonly ingress: Readonly<Record<string, readonly IngressRule[]>>;
  /** Undefined: the file system has no policy. */
  readonly policy?: PolicyDocument;
}

/** Which rule a failed mount broke. */
export type MountRule = 'dns' | 'network' | 'access';

export type EfsMountOutcome =
  | { readonly ok: true; readonly readOnly: boolean }
  | { readonly ok: false; readonly rule: MountRule; readonly output: string };

export const NFS_PORT = 2049;

/** efs-utils' message when the file system's name does not resolve. */
export function unresolvedNameOutput(fileSystemId: string, region: string): string {
  return `Failed to resolve "${fileSystemId}.efs.${region}.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail.`;
}

/** mount.nfs4's message when nothing answers on port 2049 (the security group drops it). */
export const TIMED_OUT_OUTPUT = 'mount.nfs4: Connection timed out';

/** mount.nfs4's message when EFS refuses the client (IAM policy, or no such access point). */
export const ACCESS_DENIED_OUTPUT =
  'mount.nfs4: access denied by server while mounting 127.0.0.1:/';

function ipv4(address: string): number | undefined {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return undefined;
  return parts.reduce((value, part) => value * 256 + part, 0);
}

/** Whether `cidr` (a.b.c.d/n) holds `address`. */
export function cidrHolds(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split('/');
  const network = ipv4(base ?? '');
  const host = ipv4(address);
  const length = Number(bits);
  if (network === undefined || host === undefined || !Number.isInteger(length)) return false;
  if (length === 0) return true;
  const size = 2 ** (32 - length);
  return Math.floor(network / size) === Math.floor(host / size);
}

function admitsNfs(rule: IngressRule, pod: EfsMountFacts['pod']): boolean {
  const protocol = rule.protocol === '-1' || rule.protocol === 'tcp' || rule.protocol === '6';
  const port =
    rule.protocol === '-1' ||
    ((rule.fromPort ?? 0) <= NFS_PORT && NFS_PORT <= (rule.toPort ?? 65535));
  const source =
    rule.sourceGroupIds.some((id) => pod.securityGroupIds.includes(id)) ||
    rule.cidrs.some((cidr) => cidrHolds(cidr, pod.address));
  return protocol && port && source;
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function anonymousMatches(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal === 'object' && principal !== null) {
    const aws = (principal as { AWS?: unknown }).AWS;
    return list(aws as string | string[] | undefined).includes('*');
  }
  return false;
}

function actionMatches(actions: string | readonly string[] | undefined, wanted: string): boolean {
  return list(actions).some((action) =>
    wildcardMatches(action.toLowerCase(), wanted.toLowerCase()),
  );
}

/** The operators a file system policy uses; any other makes the statement not apply. */
function conditionHolds(
  operator: string,
  key: string,
  expected: unknown,
  context: Record<string, string>,
): boolean {
  const actual = context[key];
  const values = list(expected as string | string[]).map(String);
  if (actual === undefined) return operator.endsWith('IfExists');
  switch (operator.replace(/IfExists$/, '')) {
    case 'Bool':
    case 'StringEquals':
    case 'ArnEquals':
      return values.includes(actual);
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return !values.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return values.some((value) => wildcardMatches(value, actual));
    case 'StringNotLike':
    case 'ArnNotLike':
      return !values.some((value) => wildcardMatches(value, actual));
    default:
      return false;
  }
}

function statementApplies(
  statement: PolicyStatement,
  action: string,
  context: Record<string, string>,
): boolean {
  if (!anonymousMatches(statement.Principal) || !actionMatches(statement.Action, action))
    return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) =>
      conditionHolds(operator, key, expected, context),
    ),
  );
}

/**
 * Whether the file system policy allows `action` to the pod's anonymous NFS client through the
 * access point over TLS: an explicit Deny wins, then some Allow must apply; no policy allows.
 */
export function policyAllows(
  policy: PolicyDocument | undefined,
  action: string,
  accessPointArn: string,
): boolean {
  if (!policy) return true;
  const context = {
    'aws:SecureTransport': 'true',
    'elasticfilesystem:AccessPointArn': accessPointArn,
    'elasticfilesystem:AccessedViaMountTarget': 'true',
  };
  const statements = list(policy.Statement);
  const applies = (effect: string) =>
    statements.some(
      (statement) => statement.Effect === effect && statementApplies(statement, action, context),
    );
  return !applies('Deny') && applies('Allow');
}

/** Whether, and how, the pod mounts the access point: the rules at the top of this file. */
export function efsMountOutcome(facts: EfsMountFacts): EfsMountOutcome {
  const unresolved = {
    ok: false,
    rule: 'dns',
    output: unresolvedNameOutput(facts.fileSystemId, facts.region),
  } as const;
  if (facts.fileSystem?.state !== 'available') return unresolved;
  const inZone = facts.mountTargets.filter(
    (candidate) => candidate.availabilityZone === facts.pod.availabilityZone,
  );
  const target = inZone.find((candidate) => candidate.state === 'available') ?? inZone[0];
  if (target?.state !== 'available' || target.resolves === false) return unresolved;
  const admitted = target.securityGroupIds.some((groupId) =>
    (facts.ingress[groupId] ?? []).some((rule) => admitsNfs(rule, facts.pod)),
  );
  if (!admitted) return { ok: false, rule: 'network', output: TIMED_OUT_OUTPUT };
  const accessPoint = facts.accessPoint;
  if (
    accessPoint?.state !== 'available' ||
    accessPoint.fileSystemId !== facts.fileSystemId ||
    !policyAllows(facts.policy, 'elasticfilesystem:ClientMount', accessPoint.arn)
  ) {
    return { ok: false, rule: 'access', output: ACCESS_DENIED_OUTPUT };
  }
  return {
    ok: true,
    readOnly: !policyAllows(facts.policy, 'elasticfilesystem:ClientWrite', accessPoint.arn),
  };
}
