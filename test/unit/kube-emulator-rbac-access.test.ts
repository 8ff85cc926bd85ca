import { describe, expect, it } from 'vitest';
import { kubernetesUserOf } from '../../local/kube-emulator/access-entries.ts';
import { ObjectApi } from '../../local/kube-emulator/object-api.ts';
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  NAMESPACES,
  ROLE_BINDINGS,
} from '../../local/kube-emulator/resources.ts';
import { KubeApiError } from '../../local/kube-emulator/status.ts';
import { ObjectStore } from '../../local/kube-emulator/store.ts';

const WRITER_ROLE = 'arn:aws:iam::123456789012:role/efs-volumes-writer';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/efs-volumes-writer/lambda@step';

describe('kubernetesUserOf', () => {
  it('maps an assumed-role session to its role entry, named after the session by default', () => {
    const user = kubernetesUserOf(SESSION, {
      accessEntries: [{ principalArn: WRITER_ROLE, kubernetesGroups: ['efs-volumes'] }],
    });

    expect(user).toEqual({
      username: 'arn:aws:sts::123456789012:assumed-role/efs-volumes-writer/lambda-step',
      groups: ['efs-volumes', 'system:authenticated'],
    });
  });

  it('matches a role entry with a path, which session ARNs never carry', () => {
    const user = kubernetesUserOf(SESSION, {
      accessEntries: [
        {
          principalArn: 'arn:aws:iam::123456789012:role/service/efs-volumes-writer',
          kubernetesGroups: ['efs-volumes'],
          username: 'writer:{{AccountID}}:{{SessionNameRaw}}',
        },
      ],
    });

    expect(user?.username).toBe('writer:123456789012:lambda@step');
  });

  it('refuses a session of a role with the same name in another account', () => {
    const user = kubernetesUserOf('arn:aws:sts::999999999999:assumed-role/efs-volumes-writer/s', {
      accessEntries: [{ principalArn: WRITER_ROLE, kubernetesGroups: ['efs-volumes'] }],
    });

    expect(user).toBeUndefined();
  });

  it('names an IAM user after its entry ARN, also for the sts user ARN moto answers with', () => {
    const access = {
      accessEntries: [
        { principalArn: 'arn:aws:iam::123456789012:user/moto', kubernetesGroups: ['ops'] },
      ],
    };

    expect(kubernetesUserOf('arn:aws:sts::123456789012:user/moto', access)).toEqual({
      username: 'arn:aws:iam::123456789012:user/moto',
      groups: ['ops', 'system:authenticated'],
    });
  });

  it('puts cluster admins in system:masters', () => {
    const user = kubernetesUserOf(SESSION, { clusterAdmins: [WRITER_ROLE] });

    expect(user?.groups).toEqual(['system:masters', 'system:authenticated']);
  });

  it('admits nobody without an entry once access is controlled', () => {
    expect(kubernetesUserOf(SESSION, { accessEntries: [] })).toBeUndefined();
    expect(kubernetesUserOf(SESSION, { clusterAdmins: [] })).toBeUndefined();
    expect(kubernetesUserOf('not-an-arn', { clusterAdmins: [WRITER_ROLE] })).toBeUndefined();
  });

  it('makes every caller a cluster admin when no access is configured', () => {
    expect(kubernetesUserOf(SESSION, {})).toEqual({
      username: SESSION,
      groups: ['system:masters', 'system:authenticated'],
    });
  });
});

describe('the RBAC kinds in the object API', () => {
  const write = { fieldManager: 'test', dryRun: false };
  const api = () => new ObjectApi(new ObjectStore(), () => new Date('2026-01-01T00:00:00Z'));

  function invalidCauses(action: () => unknown): string[] {
    try {
      action();
    } catch (error) {
      if (error instanceof KubeApiError && error.status.reason === 'Invalid') {
        return (error.status.details?.causes ?? []).map(
          (cause) => `${cause.field}: ${cause.message}`,
        );
      }
      throw error;
    }
    throw new Error('the write was accepted');
  }

  it('stores a ClusterRole whose name has a colon, and defaults binding API groups', () => {
    const objects = api();

    objects.create(
      CLUSTER_ROLES,
      undefined,
      {
        metadata: { name: 'system:efs' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      },
      write,
    );
    const binding = objects.create(
      CLUSTER_ROLE_BINDINGS,
      undefined,
      {
        metadata: { name: 'system:efs' },
        roleRef: { kind: 'ClusterRole', name: 'system:efs' },
        subjects: [{ kind: 'Group', name: 'efs' }],
      },
      write,
    );

    expect(binding).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      roleRef: { apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'efs' }],
    });
  });

  it('refuses rules without verbs, resources or API groups, and URLs in a namespaced Role', () => {
    const causes = invalidCauses(() =>
      api().create(
        CLUSTER_ROLES,
        undefined,
        {
          metadata: { name: 'bad' },
          rules: [
            { resources: ['pods'] },
            { nonResourceURLs: ['/x'], resources: ['pods'], verbs: ['get'] },
          ],
        },
        write,
      ),
    );

    expect(causes).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it('refuses a ClusterRoleBinding to a Role and a service account without a namespace', () => {
    const causes = invalidCauses(() =>
      api().create(
        CLUSTER_ROLE_BINDINGS,
        undefined,
        {
          metadata: { name: 'bad' },
          roleRef: { kind: 'Role', name: 'r' },
          subjects: [
            { kind: 'ServiceAccount', name: 'robot' },
            { kind: 'Team', name: 't' },
          ],
        },
        write,
      ),
    );

    expect(causes).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Team": supported values: "ServiceAccount", "User", "Group"',
    ]);
  });

  it('refuses to change the role a binding refers to', () => {
    const objects = api();
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }],
    };
    objects.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });

    const causes = invalidCauses(() => {
      objects.apply({ resource: ROLE_BINDINGS, namespace: 'team-a', name: 'b' }, binding, {
        ...write,
        force: false,
      });
      objects.apply(
        { resource: ROLE_BINDINGS, namespace: 'team-a', name: 'b' },
        { ...binding, roleRef: { ...binding.roleRef, name: 'edit' } },
        { ...write, force: false },
      );
    });

    expect(causes).toEqual([
      'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}: cannot change roleRef',
    ]);
  });
});
