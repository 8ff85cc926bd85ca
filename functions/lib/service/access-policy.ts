import { rawSetting } from '../settings.ts';
import { principalPattern } from './caller-principal.ts';

/**
 * POSIX ids a rule grants to the volumes its callers put on shared file systems: each entry a
 * number or an inclusive range `"2000-2999"`. `gids` covers the gid and every secondary gid.
 */
export interface PosixIdGrant {
  readonly uids: readonly (number | string)[];
  readonly gids: readonly (number | string)[];
}

/**
 * Who may ask for volumes where. A rule names a caller (an IAM principal ARN: a role as
 * `arn:aws:iam::<account>:role/<name>`, which every session of the role matches; or an
 * EventBridge sender as `events:<account>:<source>`), a cluster and the namespaces it may use
 * (`*` for any). Reserved namespaces are refused unless a rule names them explicitly.
 *
 * Wildcards in `caller` and `cluster` match within one segment (segments are separated by `:`
 * and `/`), never across one: `*` is either a whole segment (`role/*`, `arn:aws:iam::*:role/x`,
 * `events:123456789012:*`) or ends a segment right after a separator `-` `_` `.` `@` `+` `=`
 * `,` (`role/team-a-*`). `role/team-a*` is refused, because it would also match `role/team-ab`.
 * A `caller` of `*` alone matches every caller.
 */
export interface AccessRule {
  readonly caller: string;
  readonly cluster: string;
  readonly namespaces: readonly string[];
  /**
   * The rule's callers may delete volumes others created in its namespaces (reading is open to
   * anyone allowed in the namespace; deleting is the owner's otherwise). @default false
   */
  readonly deleteOthers?: boolean;
  /**
   * File systems (`fs-…`) the rule's callers may put volumes on with `fileSystemId`. Each must
   * also carry the tag {@link SHAREABLE_TAG_KEY} = `true`. @default none: shared mode is off
   */
  readonly sharedFileSystems?: readonly string[];
  /** The POSIX ids of volumes on shared file systems; required with `sharedFileSystems`. */
  readonly posixIds?: PosixIdGrant;
}

export interface AccessPolicy {
  readonly rules: readonly AccessRule[];
  /** @default kube-system, kube-public, kube-node-lease */
  readonly reservedNamespaces?: readonly string[];
}

export const DEFAULT_RESERVED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
] as const;

/** The tag a file system needs, besides a rule listing it, before volumes may share it. */
export const SHAREABLE_TAG_KEY = 'efs-volumes:shareable';
export const SHAREABLE_TAG_VALUE = 'true';

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

const ALLOWED = { allowed: true } as const;
const SEGMENT_SEPARATORS = '-_.@+=,';
const MAX_POSIX_ID = 4_294_967_295;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;

/**
 * Why a `caller` or `cluster` pattern is ambiguous, or undefined when it is not: a `*` must be a
 * whole segment or end a segment after a separator, so a prefix never matches a longer name.
 */
function wildcardProblem(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  for (const segment of pattern.split(/[:/]/)) {
    const star = segment.indexOf('*');
    if (star === -1 || segment === '*') continue;
    const before = segment[star - 1] ?? '';
    if (star !== segment.length - 1 || !SEGMENT_SEPARATORS.includes(before)) {
      return `"${segment}": a * must be a whole segment (role/*) or end a name after one of ${SEGMENT_SEPARATORS.split('').join(' ')} (team-a-*), so that a prefix cannot match a longer name (team-a* would match team-ab)`;
    }
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches a pattern the loader accepted: each `*` stands for the rest of one segment. */
export function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  const source = pattern.split('*').map(escapeRegExp).join('[^:/]+');
  return new RegExp(`^${source}$`).test(value);
}

export function isReserved(policy: AccessPolicy, namespace: string): boolean {
  return (policy.reservedNamespaces ?? DEFAULT_RESERVED_NAMESPACES).includes(namespace);
}

/** The rules that let `caller` use `namespace` of `cluster`. */
function rulesFor(
  policy: AccessPolicy,
  caller: string,
  cluster: string,
  namespace: string,
): AccessRule[] {
  const reserved = isReserved(policy, namespace);
  return policy.rules.filter(
    (rule) =>
      matches(rule.caller, caller) &&
      matches(rule.cluster, cluster) &&
      (rule.namespaces.includes(namespace) || (!reserved && rule.namespaces.includes('*'))),
  );
}

/** Decides whether `caller` may use `namespace` of `cluster`. Nothing is allowed by default. */
export function authorize(
  policy: AccessPolicy,
  caller: string,
  cluster: string,
  namespace: string,
): AccessDecision {
  if (rulesFor(policy, caller, cluster, namespace).length > 0) return ALLOWED;
  return {
    allowed: false,
    reason: isReserved(policy, namespace)
      ? `namespace ${namespace} is reserved`
      : `caller may not use namespace ${namespace} of cluster ${cluster}`,
  };
}

/** The volume a delete is asked for, as its record has it. */
export interface DeleteTarget {
  readonly clusterName: string;
  readonly namespace: string;
  /** The principal that created it; older records may have none. */
  readonly owner?: string | undefined;
}

/**
 * Decides whether `caller` may delete a volume: its owner may, as may a caller whose rule for
 * the volume's namespace has `deleteOthers`. Being allowed in the namespace is not enough.
 */
export function authorizeDelete(
  policy: AccessPolicy,
  caller: string,
  volume: DeleteTarget,
): AccessDecision {
  const rules = rulesFor(policy, caller, volume.clusterName, volume.namespace);
  if (rules.length === 0) {
    return authorize(policy, caller, volume.clusterName, volume.namespace);
  }
  if (volume.owner === caller || rules.some((rule) => rule.deleteOthers === true)) return ALLOWED;
  return {
    allowed: false,
    reason: `only the principal that created this volume may delete it, or a caller whose ACCESS_POLICY rule for namespace ${volume.namespace} has "deleteOthers": true`,
  };
}

function grants(entries: readonly (number | string)[], id: number): boolean {
  return entries.some((entry) => {
    if (typeof entry === 'number') return entry === id;
    const [low, high] = entry.split('-').map(Number) as [number, number];
    return id >= low && id <= high;
  });
}

/** What a volume on a shared file system asks for, as validation filled it in. */
export interface SharedVolumeRequest {
  readonly clusterName: string;
  readonly namespace: string;
  readonly fileSystemId: string;
  readonly rootDirectory: { readonly path: string };
  readonly posixUser: {
    readonly uid: number;
    readonly gid: number;
    readonly secondaryGids: readonly number[];
  };
}

/** Why one rule does not cover a shared volume, or undefined when it does. */
function sharedRuleProblem(rule: AccessRule, request: SharedVolumeRequest): string | undefined {
  if (!rule.sharedFileSystems?.includes(request.fileSystemId)) {
    return `file system ${request.fileSystemId} is not shared with this caller in namespace ${request.namespace}: an ACCESS_POLICY rule must list it in "sharedFileSystems"`;
  }
  const { uids = [], gids = [] } = rule.posixIds ?? {};
  const { uid, gid, secondaryGids } = request.posixUser;
  const refused = [
    ...(grants(uids, uid) ? [] : [`uid ${uid}`]),
    ...(grants(gids, gid) ? [] : [`gid ${gid}`]),
    ...secondaryGids.filter((id) => !grants(gids, id)).map((id) => `secondary gid ${id}`),
  ];
  if (refused.length > 0) {
    return `posixUser ${refused.join(', ')} not granted on shared file systems here (uids ${uids.join(', ') || 'none'}; gids ${gids.join(', ') || 'none'})`;
  }
  return undefined;
}

/**
 * Whether `caller` may reattach a deleted volume's directory on a shared file system in this
 * namespace: the platform role that may delete others' volumes there (`deleteOthers`) may also
 * hand their data to a new volume.
 */
export function mayReattach(
  policy: AccessPolicy,
  caller: string,
  cluster: string,
  namespace: string,
): boolean {
  return rulesFor(policy, caller, cluster, namespace).some((rule) => rule.deleteOthers === true);
}

/**
 * Decides whether `caller` may put a volume on the shared file system it names: some rule for
 * the namespace lists the file system and grants the volume's POSIX ids, and the root directory
 * lies under `/<cluster>/<namespace>/`, so one team's access point cannot open another's
 * directories, in this cluster or another.
 * The namespace itself must already be authorized ({@link authorize}).
 */
export function authorizeSharedFileSystem(
  policy: AccessPolicy,
  caller: string,
  request: SharedVolumeRequest,
): AccessDecision {
  const prefix = `/${request.clusterName}/${request.namespace}/`;
  if (!request.rootDirectory.path.startsWith(prefix)) {
    return {
      allowed: false,
      reason: `rootDirectory.path ${request.rootDirectory.path} is outside ${prefix}: a volume on a shared file system must lie under its cluster's and namespace's directory`,
    };
  }
  const rules = rulesFor(policy, caller, request.clusterName, request.namespace);
  const problems = rules.map((rule) => sharedRuleProblem(rule, request));
  if (problems.some((problem) => problem === undefined)) return ALLOWED;
  // The most specific reason: a rule that lists the file system says which ids it grants.
  const reason =
    problems.find((problem) => problem?.startsWith('posixUser')) ??
    problems[0] ??
    `caller may not use namespace ${request.namespace} of cluster ${request.clusterName}`;
  return { allowed: false, reason };
}

function posixIdProblem(entry: unknown): boolean {
  if (typeof entry === 'number')
    return !Number.isInteger(entry) || entry < 0 || entry > MAX_POSIX_ID;
  if (typeof entry !== 'string') return true;
  const range = /^(\d{1,10})-(\d{1,10})$/.exec(entry);
  if (!range) return true;
  const [low, high] = [Number(range[1]), Number(range[2])];
  return low > high || high > MAX_POSIX_ID;
}

/** The loader's checks of one rule beyond its three required fields. */
function ruleProblem(rule: AccessRule): string | undefined {
  for (const field of ['caller', 'cluster'] as const) {
    const problem = wildcardProblem(rule[field]);
    if (problem) return `${field} ${problem}`;
  }
  if (rule.caller.startsWith('events:') && rule.caller.split(':').length !== 3) {
    return `caller "${rule.caller}": an EventBridge sender is events:<account>:<source> (e.g. events:123456789012:efs-volumes.requests)`;
  }
  if (rule.deleteOthers !== undefined && typeof rule.deleteOthers !== 'boolean') {
    return '"deleteOthers" must be true or false';
  }
  if (rule.sharedFileSystems !== undefined) {
    if (
      !Array.isArray(rule.sharedFileSystems) ||
      !rule.sharedFileSystems.every((id) => typeof id === 'string' && FILE_SYSTEM_ID.test(id))
    ) {
      return '"sharedFileSystems" must be a list of file system ids (fs-…)';
    }
    if (rule.sharedFileSystems.length > 0 && rule.posixIds === undefined) {
      return '"sharedFileSystems" needs "posixIds" ({"uids": [...], "gids": [...]}): the POSIX ids its volumes may use';
    }
  }
  if (rule.posixIds !== undefined) {
    const { uids, gids } = rule.posixIds as Partial<PosixIdGrant>;
    if (!Array.isArray(uids) || !Array.isArray(gids) || [...uids, ...gids].some(posixIdProblem)) {
      return '"posixIds" must be {"uids": [...], "gids": [...]}, each entry an id (0 to 4294967295) or a range "low-high"';
    }
  }
  return undefined;
}

/**
 * Reads the policy from `ACCESS_POLICY` (JSON). Unset means nobody may do anything.
 *
 * @throws Error when the JSON is not a policy, or a rule is ambiguous (see {@link AccessRule}),
 *   so a broken configuration fails loudly
 */
export function accessPolicyFromEnvironment(raw = rawSetting('ACCESS_POLICY')): AccessPolicy {
  if (!raw) return { rules: [] };
  const parsed = JSON.parse(raw) as AccessPolicy;
  if (!Array.isArray(parsed.rules))
    throw new Error('ACCESS_POLICY must be JSON with a "rules" array');
  const rules = parsed.rules.map((rule, index) => {
    if (
      typeof rule.caller !== 'string' ||
      typeof rule.cluster !== 'string' ||
      !Array.isArray(rule.namespaces)
    ) {
      throw new Error('each ACCESS_POLICY rule needs "caller", "cluster" and "namespaces"');
    }
    const problem = ruleProblem(rule);
    if (problem) throw new Error(`ACCESS_POLICY rules[${index}]: ${problem}`);
    // Callers are principals (a role, not its session; no paths): rules are read the same way.
    return { ...rule, caller: principalPattern(rule.caller) };
  });
  return { ...parsed, rules };
}
