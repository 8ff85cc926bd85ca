import { principalPattern } from './caller-principal.ts';

/**
 * Who may ask for volumes where. A rule names a caller (an IAM principal ARN: a role as
 * `arn:aws:iam::<account>:role/<name>`, which every session of the role matches; a trailing
 * `*` matches any suffix), a cluster and the namespaces it may use (`*` for any). Reserved namespaces
 * are refused unless a rule names them explicitly.
 */
export interface AccessRule {
  readonly caller: string;
  readonly cluster: string;
  readonly namespaces: readonly string[];
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

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

/** Decides whether `caller` may use `namespace` of `cluster`. Nothing is allowed by default. */
export function authorize(
  policy: AccessPolicy,
  caller: string,
  cluster: string,
  namespace: string,
): AccessDecision {
  const reserved = (policy.reservedNamespaces ?? DEFAULT_RESERVED_NAMESPACES).includes(namespace);
  for (const rule of policy.rules) {
    if (!matches(rule.caller, caller) || !matches(rule.cluster, cluster)) continue;
    if (rule.namespaces.includes(namespace)) return { allowed: true };
    if (!reserved && rule.namespaces.includes('*')) return { allowed: true };
  }
  return {
    allowed: false,
    reason: reserved
      ? `namespace ${namespace} is reserved`
      : `caller may not use namespace ${namespace} of cluster ${cluster}`,
  };
}

/**
 * Reads the policy from `ACCESS_POLICY` (JSON). Unset means nobody may do anything.
 *
 * @throws Error when the JSON is not a policy, so a broken configuration fails loudly
 */
export function accessPolicyFromEnvironment(raw = process.env.ACCESS_POLICY): AccessPolicy {
  if (!raw) return { rules: [] };
  const parsed = JSON.parse(raw) as AccessPolicy;
  if (!Array.isArray(parsed.rules))
    throw new Error('ACCESS_POLICY must be JSON with a "rules" array');
  for (const rule of parsed.rules) {
    if (
      typeof rule.caller !== 'string' ||
      typeof rule.cluster !== 'string' ||
      !Array.isArray(rule.namespaces)
    ) {
      throw new Error('each ACCESS_POLICY rule needs "caller", "cluster" and "namespaces"');
    }
  }
  // Callers are principals (a role, not its session; no paths): rules are read the same way.
  return {
    ...parsed,
    rules: parsed.rules.map((rule) => ({ ...rule, caller: principalPattern(rule.caller) })),
  };
}
