import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_GROUPS } from '../../infra/kubernetes-access.ts';
import { PROJECT_ROOT } from '../../infra/service-function.ts';

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

interface RbacObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly rules?: Rule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: { readonly kind: string; readonly name: string }[];
}

function rbacObjects(): RbacObject[] {
  return parseAllDocuments(readFileSync(`${PROJECT_ROOT}infra/rbac.yaml`, 'utf8')).map(
    (document) => document.toJSON() as RbacObject,
  );
}

/** What a group may do, as `verb group/resource` strings. */
function permissionsOf(group: string): string[] {
  const objects = rbacObjects();
  const roles = objects
    .filter((object) => object.kind === 'ClusterRoleBinding')
    .filter((binding) =>
      binding.subjects?.some((subject) => subject.kind === 'Group' && subject.name === group),
    )
    .map((binding) => binding.roleRef?.name);
  return objects
    .filter((object) => object.kind === 'ClusterRole' && roles.includes(object.metadata.name))
    .flatMap((role) => role.rules ?? [])
    .flatMap((rule) =>
      rule.apiGroups.flatMap((apiGroup) =>
        rule.resources.flatMap((resource) =>
          rule.verbs.map((verb) => `${verb} ${apiGroup || 'core'}/${resource}`),
        ),
      ),
    )
    .sort();
}

describe('infra/rbac.yaml', () => {
  it('binds exactly the Kubernetes groups the access entries name', () => {
    // Prepare
    const objects = rbacObjects();

    // Act
    const subjects = objects
      .filter((object) => object.kind === 'ClusterRoleBinding')
      .flatMap((binding) => binding.subjects ?? [])
      .map((subject) => subject.name);

    // Assess
    expect(subjects.sort()).toEqual(Object.values(KUBERNETES_GROUPS).sort());
  });

  it('lets the writer group apply and delete the four storage kinds, and nothing else', () => {
    // Prepare
    const kinds = [
      'core/persistentvolumes',
      'core/persistentvolumeclaims',
      'storage.k8s.io/storageclasses',
      'storage.k8s.io/csidrivers',
    ];
    const verbs = ['get', 'list', 'create', 'patch', 'delete'];

    // Act
    const permissions = permissionsOf(KUBERNETES_GROUPS.writer);

    // Assess
    expect(permissions).toEqual(
      kinds.flatMap((kind) => verbs.map((verb) => `${verb} ${kind}`)).sort(),
    );
  });

  it('lets the reader group read namespaces, claims and volumes, and list pods, and nothing else', () => {
    // Prepare
    const expected = [
      'get core/namespaces',
      'get core/persistentvolumeclaims',
      'get core/persistentvolumes',
      'list core/pods',
    ];

    // Act
    const permissions = permissionsOf(KUBERNETES_GROUPS.reader);

    // Assess
    expect(permissions).toEqual(expected.sort());
  });
});
