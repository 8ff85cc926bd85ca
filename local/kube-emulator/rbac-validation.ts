/**
 * Validation of the RBAC kinds as the API server does it (pkg/apis/rbac/validation): rules
 * that name verbs and either resources or non-resource URLs, role references that point at a
 * Role or ClusterRole and never change, and subjects of the three kinds RBAC knows.
 */
import { invalidValue, required, unsupported } from './field-errors.ts';
import { isJsonMap, type JsonMap, jsonEqual, type KubeObject } from './objects.ts';
import { RBAC_GROUP } from './resources.ts';
import type { StatusCause } from './status.ts';

/** `path.IsValidPathSegmentName`: RBAC names may hold `:` (`system:discovery`), not `/`. */
export function validatePathSegmentName(name: string, field = 'metadata.name'): StatusCause[] {
  if (name === '.' || name === '..') return [invalidValue(field, name, `may not be '${name}'`)];
  return ['/', '%']
    .filter((character) => name.includes(character))
    .map((character) => invalidValue(field, name, `may not contain '${character}'`));
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

function validateRule(rule: unknown, field: string, namespaced: boolean): StatusCause[] {
  if (!isJsonMap(rule)) return [invalidValue(field, rule, 'a rule must be an object')];
  const lists: Record<string, string[]> = {};
  const causes: StatusCause[] = [];
  for (const key of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']) {
    const list = stringList(rule[key]);
    if (list === undefined)
      causes.push(invalidValue(`${field}.${key}`, rule[key], 'must be a list of strings'));
    lists[key] = list ?? [];
  }
  const {
    verbs = [],
    apiGroups = [],
    resources = [],
    resourceNames = [],
    nonResourceURLs = [],
  } = lists;
  if (verbs.length === 0) {
    causes.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  }
  if (nonResourceURLs.length > 0) {
    if (namespaced) {
      causes.push(
        invalidValue(
          `${field}.nonResourceURLs`,
          nonResourceURLs,
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    }
    if (apiGroups.length > 0 || resources.length > 0 || resourceNames.length > 0) {
      causes.push(
        invalidValue(
          `${field}.nonResourceURLs`,
          nonResourceURLs,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return causes;
  }
  if (apiGroups.length === 0) {
    causes.push(
      required(`${field}.apiGroups`, 'resource rules must supply at least one api group'),
    );
  }
  if (resources.length === 0) {
    causes.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  }
  return causes;
}

/** The rules of a Role (`namespaced`) or ClusterRole. */
export function validatePolicyRules(role: KubeObject, namespaced: boolean): StatusCause[] {
  const rules = role.rules ?? [];
  if (!Array.isArray(rules)) return [invalidValue('rules', rules, 'must be a list of rules')];
  return rules.flatMap((rule, index) => validateRule(rule, `rules[${index}]`, namespaced));
}

function validateSubject(subject: unknown, field: string, namespaced: boolean): StatusCause[] {
  if (!isJsonMap(subject)) return [invalidValue(field, subject, 'a subject must be an object')];
  const causes: StatusCause[] = [];
  const name = subject.name;
  if (typeof name !== 'string' || name === '') causes.push(required(`${field}.name`));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (typeof name === 'string' && name) {
        causes.push(...validatePathSegmentName(name, `${field}.name`));
      }
      if ((subject.apiGroup ?? '') !== '') {
        causes.push(unsupported(`${field}.apiGroup`, subject.apiGroup, ['']));
      }
      if (!namespaced && (typeof subject.namespace !== 'string' || subject.namespace === '')) {
        causes.push(required(`${field}.namespace`));
      }
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== RBAC_GROUP) {
        causes.push(unsupported(`${field}.apiGroup`, subject.apiGroup, [RBAC_GROUP]));
      }
      break;
    default:
      causes.push(unsupported(`${field}.kind`, subject.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return causes;
}

/** The role reference and subjects of a RoleBinding (`namespaced`) or ClusterRoleBinding. */
export function validateRoleBinding(binding: KubeObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const roleRef: JsonMap = isJsonMap(binding.roleRef) ? binding.roleRef : {};
  if (roleRef.apiGroup !== RBAC_GROUP) {
    causes.push(unsupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [RBAC_GROUP]));
  }
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (typeof roleRef.kind !== 'string' || !kinds.includes(roleRef.kind)) {
    causes.push(unsupported('roleRef.kind', roleRef.kind ?? '', kinds));
  }
  if (typeof roleRef.name !== 'string' || roleRef.name === '') {
    causes.push(required('roleRef.name'));
  } else {
    causes.push(...validatePathSegmentName(roleRef.name, 'roleRef.name'));
  }
  const subjects = binding.subjects ?? [];
  if (!Array.isArray(subjects)) {
    return [...causes, invalidValue('subjects', subjects, 'must be a list of subjects')];
  }
  subjects.forEach((subject, index) => {
    causes.push(...validateSubject(subject, `subjects[${index}]`, namespaced));
  });
  return causes;
}

/** A binding's role reference cannot change: delete and recreate the binding instead. */
export function validateRoleBindingUpdate(old: KubeObject, next: KubeObject): StatusCause[] {
  return jsonEqual(old.roleRef, next.roleRef)
    ? []
    : [invalidValue('roleRef', next.roleRef, 'cannot change roleRef')];
}
