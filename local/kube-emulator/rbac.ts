/**
 * The RBAC authorizer, with the semantics of Kubernetes' own (plugin/pkg/auth/authorizer/rbac):
 * a request is allowed when a rule of a role bound to the user allows it. ClusterRoleBindings
 * grant their ClusterRole everywhere; a RoleBinding grants its Role or ClusterRole only in the
 * binding's namespace. Nothing denies: without a matching rule the answer is no. Members of
 * `system:masters` are allowed everything before any role is read, as the API server's
 * privileged-group authorizer does.
 */
import { isJsonMap, type KubeObject } from './objects.ts';
import type { RequestAttributes } from './request-attributes.ts';

/** The Kubernetes identity of an authenticated caller. */
export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

export const SUPERUSER_GROUP = 'system:masters';
export const AUTHENTICATED_GROUP = 'system:authenticated';

/** Where the authorizer reads roles and bindings: the cluster's stored RBAC objects. */
export interface RbacPolicy {
  clusterRoleBindings(): readonly KubeObject[];
  roleBindings(namespace: string): readonly KubeObject[];
  clusterRole(name: string): KubeObject | undefined;
  role(namespace: string, name: string): KubeObject | undefined;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /**
   * Why not, when a binding names a role that does not exist (`RBAC: clusterrole… not found`),
   * as the API server appends it to a Forbidden message; '' otherwise.
   */
  readonly reason: string;
}

interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

const ALL = '*';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

function rulesOf(role: KubeObject): PolicyRule[] {
  return (Array.isArray(role.rules) ? role.rules : []).filter(isJsonMap).map((rule) => ({
    verbs: strings(rule.verbs),
    apiGroups: strings(rule.apiGroups),
    resources: strings(rule.resources),
    resourceNames: strings(rule.resourceNames),
    nonResourceURLs: strings(rule.nonResourceURLs),
  }));
}

// A rule resource matches as `resource`, `resource/subresource`, `*`, or `*` + `/subresource`
// (that subresource of any resource).
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some(
    (ruleResource) =>
      ruleResource === ALL ||
      ruleResource === combined ||
      (subresource !== '' && ruleResource === `*/${subresource}`),
  );
}

/** A path listed exactly, `*`, or a prefix ending in `*` (`/apis/*`). */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some(
    (url) =>
      url === ALL || url === path || (url.endsWith(ALL) && path.startsWith(url.slice(0, -1))),
  );
}

/** Whether one rule allows the request. */
export function ruleAllows(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!rule.verbs.includes(ALL) && !rule.verbs.includes(attributes.verb)) return false;
  if (!attributes.resourceRequest) return nonResourceUrlMatches(rule, attributes.path);
  return (
    (rule.apiGroups.includes(ALL) || rule.apiGroups.includes(attributes.apiGroup)) &&
    resourceMatches(rule, attributes.resource, attributes.subresource) &&
    // A request without a name (create, list, watch, deletecollection) never matches a rule
    // that lists names: there is nothing to compare them with.
    (rule.resourceNames.length === 0 || rule.resourceNames.includes(attributes.name))
  );
}

/**
 * Whether a binding's subject is the user. A ServiceAccount subject without a namespace is,
 * in a RoleBinding, the service account of the binding's namespace.
 */
function subjectIsUser(subject: unknown, user: UserInfo, bindingNamespace: string): boolean {
  if (!isJsonMap(subject) || typeof subject.name !== 'string') return false;
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace =
        typeof subject.namespace === 'string' && subject.namespace
          ? subject.namespace
          : bindingNamespace;
      return (
        namespace !== '' && user.username === `system:serviceaccount:${namespace}:${subject.name}`
      );
    }
    default:
      return false;
  }
}

function bindsUser(binding: KubeObject, user: UserInfo): boolean {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects : [];
  return subjects.some((subject) => subjectIsUser(subject, user, binding.metadata.namespace ?? ''));
}

/** The role a binding refers to, or why it cannot be found. */
function boundRole(
  binding: KubeObject,
  policy: RbacPolicy,
): { role: KubeObject } | { missing: string } {
  const roleRef = isJsonMap(binding.roleRef) ? binding.roleRef : {};
  const name = typeof roleRef.name === 'string' ? roleRef.name : '';
  const namespace = binding.metadata.namespace ?? '';
  if (roleRef.kind === 'Role' && namespace) {
    const role = policy.role(namespace, name);
    return role ? { role } : { missing: `role.rbac.authorization.k8s.io "${name}" not found` };
  }
  if (roleRef.kind === 'ClusterRole') {
    const role = policy.clusterRole(name);
    return role
      ? { role }
      : { missing: `clusterrole.rbac.authorization.k8s.io "${name}" not found` };
  }
  return { missing: `unsupported role reference kind: "${String(roleRef.kind)}"` };
}

/**
 * Decides one request: allowed for `system:masters`, else when a rule of a role bound to the
 * user (cluster-wide, or in the request's namespace) allows it.
 */
export function authorize(
  user: UserInfo,
  attributes: RequestAttributes,
  policy: RbacPolicy,
): AuthorizationDecision {
  if (user.groups.includes(SUPERUSER_GROUP)) return { allowed: true, reason: '' };
  const missing: string[] = [];
  const allowedBy = (binding: KubeObject): boolean => {
    if (!bindsUser(binding, user)) return false;
    const found = boundRole(binding, policy);
    if ('missing' in found) {
      missing.push(found.missing);
      return false;
    }
    return rulesOf(found.role).some((rule) => ruleAllows(rule, attributes));
  };
  if (policy.clusterRoleBindings().some(allowedBy)) return { allowed: true, reason: '' };
  const namespace = attributes.resourceRequest ? attributes.namespace : '';
  if (namespace && policy.roleBindings(namespace).some(allowedBy)) {
    return { allowed: true, reason: '' };
  }
  const unique = [...new Set(missing)];
  return {
    allowed: false,
    reason:
      unique.length === 0
        ? ''
        : `RBAC: ${unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`}`,
  };
}

/**
 * A policy over a fixed set of objects (Roles, ClusterRoles and their bindings; other kinds
 * are ignored): for tests, and for checking a manifest file before it is applied.
 */
export function staticPolicy(objects: readonly KubeObject[]): RbacPolicy {
  const ofKind = (kind: string) =>
    objects.filter(
      (object) => object.kind === kind && object.apiVersion === 'rbac.authorization.k8s.io/v1',
    );
  return {
    clusterRoleBindings: () => ofKind('ClusterRoleBinding'),
    roleBindings: (namespace) =>
      ofKind('RoleBinding').filter((binding) => binding.metadata.namespace === namespace),
    clusterRole: (name) => ofKind('ClusterRole').find((role) => role.metadata.name === name),
    role: (namespace, name) =>
      ofKind('Role').find(
        (role) => role.metadata.name === name && role.metadata.namespace === namespace,
      ),
  };
}
