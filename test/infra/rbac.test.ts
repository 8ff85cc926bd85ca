import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { SECURITY_GROUP_POLICY_NAME } from '../../functions/lib/kube/manifests.ts';
import { DEFAULT_STORAGE_CLASS } from '../../functions/lib/volume/names.ts';
import { KUBERNETES_GROUPS } from '../../infra/kubernetes-access.ts';
import { PROJECT_ROOT } from '../../infra/service-function.ts';

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly resourceNames?: string[];
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
  return loadAll(readFileSync(`${PROJECT_ROOT}infra/rbac.yaml`, 'utf8'), null, {
    schema: CORE_SCHEMA,
  }) as RbacObject[];
}

/** What a group may do, as `verb group/resource` strings, `verb group/resource/name` where named. */
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
          rule.verbs.flatMap((verb) =>
            (rule.resourceNames ?? ['']).map(
              (name) => `${verb} ${apiGroup || 'core'}/${resource}${name ? `/${name}` : ''}`,
            ),
          ),
        ),
      ),
    )
    .sort();
}

describe('infra/rbac.yaml', () => {
  it('gives the mount check only Jobs to create, read and delete, and pods and events to list, in a ClusterRole of its own', () => {
    // Prepare
    const role = rbacObjects().find(
      (object) =>
        object.kind === 'ClusterRole' && object.metadata.name === 'efs-volumes-mount-check',
    );

    // Assess
    expect(role?.rules).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'delete'] },
      { apiGroups: [''], resources: ['pods', 'events'], verbs: ['list'] },
    ]);
  });

  it('binds exactly the Kubernetes groups the access entries name', () => {
    // Prepare
    const objects = rbacObjects();

    // Act
    const subjects = objects
      .filter((object) => object.kind === 'ClusterRoleBinding')
      .flatMap((binding) => binding.subjects ?? [])
      .map((subject) => subject.name);

    // Assess
    expect([...new Set(subjects)].sort()).toEqual(Object.values(KUBERNETES_GROUPS).sort());
  });

  it('lets the writer group apply and delete volumes, claims and its named StorageClass, apply its named SecurityGroupPolicy, run and read a mount check Job, and nothing else', () => {
    // Prepare
    const expected = [
      ...['get', 'list', 'create', 'patch', 'delete'].map(
        (verb) => `${verb} core/persistentvolumes`,
      ),
      ...['get', 'create', 'patch', 'delete'].map((verb) => `${verb} core/persistentvolumeclaims`),
      'create storage.k8s.io/csidrivers',
      'get storage.k8s.io/csidrivers/efs.csi.aws.com',
      'patch storage.k8s.io/csidrivers/efs.csi.aws.com',
      'create storage.k8s.io/storageclasses',
      'get storage.k8s.io/storageclasses/efs-sc',
      'patch storage.k8s.io/storageclasses/efs-sc',
      'delete storage.k8s.io/storageclasses/efs-sc',
      'create vpcresources.k8s.aws/securitygrouppolicies',
      `patch vpcresources.k8s.aws/securitygrouppolicies/${SECURITY_GROUP_POLICY_NAME}`,
      'create batch/jobs',
      'get batch/jobs',
      'delete batch/jobs',
      'list core/pods',
      'list core/events',
    ];

    // Act
    const permissions = permissionsOf(KUBERNETES_GROUPS.writer);

    // Assess
    expect(permissions).toEqual(expected.sort());
  });

  it('never lets the writer group delete a CSIDriver (cluster infrastructure other EFS users rely on)', () => {
    // Act
    const permissions = permissionsOf(KUBERNETES_GROUPS.writer);

    // Assess
    expect(
      permissions.filter((permission) => permission.includes('csidrivers')),
    ).not.toContainEqual(expect.stringMatching(/^(delete|deletecollection|\*) /));
  });

  it('names the default StorageClass a request gets, so the writer may delete that class alone', () => {
    // Act
    const deletable = permissionsOf(KUBERNETES_GROUPS.writer).filter((permission) =>
      permission.startsWith('delete storage.k8s.io/storageclasses'),
    );

    // Assess
    expect(deletable).toEqual([`delete storage.k8s.io/storageclasses/${DEFAULT_STORAGE_CLASS}`]);
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
