import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../local/kube-emulator/objects.ts';
import {
  AUTHENTICATED_GROUP,
  authorize,
  SUPERUSER_GROUP,
  staticPolicy,
  type UserInfo,
} from '../../local/kube-emulator/rbac.ts';
import { defaultRbacObjects } from '../../local/kube-emulator/rbac-defaults.ts';
import {
  type RequestAttributes,
  requestAttributes,
} from '../../local/kube-emulator/request-attributes.ts';
import { accessForbidden } from '../../local/kube-emulator/status.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';

function clusterRole(name: string, rules: Record<string, string[]>[]): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules };
}

function role(namespace: string, name: string, rules: Record<string, string[]>[]): KubeObject {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules };
}

type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };

function clusterRoleBinding(name: string, roleName: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

function roleBinding(
  namespace: string,
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

const alice: UserInfo = { username: 'alice', groups: [AUTHENTICATED_GROUP] };

/** The attributes of an HTTP request, as the server derives them. */
function asks(method: string, url: string): RequestAttributes {
  const parsed = new URL(url, 'https://kube');
  return requestAttributes(method, parsed.pathname, parsed.searchParams);
}

function allowed(user: UserInfo, method: string, url: string, objects: KubeObject[]): boolean {
  return authorize(user, asks(method, url), staticPolicy(objects)).allowed;
}

describe('requestAttributes', () => {
  it('derives the verb from the method and whether a name is in the URL', () => {
    const verbs = [
      asks('GET', '/api/v1/persistentvolumes/pv-1').verb,
      asks('GET', '/api/v1/persistentvolumes').verb,
      asks('GET', '/api/v1/persistentvolumes?watch=true').verb,
      asks('GET', '/api/v1/watch/persistentvolumes').verb,
      asks('POST', '/api/v1/persistentvolumes').verb,
      asks('PUT', '/api/v1/persistentvolumes/pv-1').verb,
      asks('PATCH', '/api/v1/persistentvolumes/pv-1').verb,
      asks('DELETE', '/api/v1/persistentvolumes/pv-1').verb,
      asks('DELETE', '/api/v1/persistentvolumes').verb,
    ];

    expect(verbs).toEqual([
      'get',
      'list',
      'watch',
      'watch',
      'create',
      'update',
      'patch',
      'delete',
      'deletecollection',
    ]);
  });

  it('reads group, namespace, name and subresource from resource URLs', () => {
    expect(asks('PATCH', '/apis/storage.k8s.io/v1/storageclasses/efs-sc?fieldManager=x')).toEqual({
      resourceRequest: true,
      verb: 'patch',
      apiGroup: 'storage.k8s.io',
      apiVersion: 'v1',
      resource: 'storageclasses',
      subresource: '',
      namespace: '',
      name: 'efs-sc',
    });
    expect(asks('GET', '/api/v1/namespaces/team-a/persistentvolumeclaims/data/status')).toEqual(
      expect.objectContaining({
        resource: 'persistentvolumeclaims',
        subresource: 'status',
        namespace: 'team-a',
        name: 'data',
      }),
    );
  });

  it('gives a Namespace request the namespace it names, as the API server does', () => {
    expect(asks('GET', '/api/v1/namespaces/team-a')).toEqual(
      expect.objectContaining({ resource: 'namespaces', name: 'team-a', namespace: 'team-a' }),
    );
    expect(asks('PUT', '/api/v1/namespaces/team-a/finalize')).toEqual(
      expect.objectContaining({ resource: 'namespaces', subresource: 'finalize', verb: 'update' }),
    );
  });

  it('takes the name of a list from a metadata.name field selector', () => {
    expect(
      asks('GET', '/api/v1/persistentvolumes?fieldSelector=metadata.name%3Dpv-1'),
    ).toMatchObject({ verb: 'list', name: 'pv-1' });
  });

  it('treats discovery, health and OpenAPI URLs as non-resource paths', () => {
    const paths = ['/version', '/api', '/api/v1', '/apis', '/apis/storage.k8s.io', '/healthz'];

    expect(paths.map((path) => asks('GET', path))).toEqual(
      paths.map((path) => ({ resourceRequest: false, verb: 'get', path })),
    );
  });
});

describe('authorize', () => {
  const pvEditor = clusterRole('pv-editor', [
    { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'patch'] },
  ]);

  it('allows a verb a role bound to the user names, and nothing else', () => {
    const objects = [
      pvEditor,
      clusterRoleBinding('alice-pv', 'pv-editor', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-1', objects)).toBe(true);
    expect(allowed(alice, 'PATCH', '/api/v1/persistentvolumes/pv-1', objects)).toBe(true);
    expect(allowed(alice, 'DELETE', '/api/v1/persistentvolumes/pv-1', objects)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes', objects)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/namespaces/a/persistentvolumeclaims/c', objects)).toBe(
      false,
    );
  });

  it('denies everything when no binding names the user or a group of theirs', () => {
    const objects = [
      pvEditor,
      clusterRoleBinding('bob-pv', 'pv-editor', [
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'editors' },
      ]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-1', objects)).toBe(false);
    expect(
      allowed(
        { username: 'alice', groups: ['editors', AUTHENTICATED_GROUP] },
        'GET',
        '/api/v1/persistentvolumes/pv-1',
        objects,
      ),
    ).toBe(true);
  });

  it('matches the wildcard verb, API group and resource', () => {
    const objects = [
      clusterRole('everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      clusterRoleBinding('alice', 'everything', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'DELETE', '/apis/storage.k8s.io/v1/csidrivers', objects)).toBe(true);
    expect(allowed(alice, 'PUT', '/api/v1/namespaces/a/pods/p/status', objects)).toBe(true);
  });

  it('tells the core group "" from other groups', () => {
    const objects = [
      clusterRole('core-only', [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]),
      clusterRoleBinding('alice', 'core-only', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-1', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/apis/storage.k8s.io/v1/storageclasses/sc', objects)).toBe(false);
  });

  it('needs resource/subresource for a subresource, or */subresource', () => {
    const objects = [
      clusterRole('status-reader', [
        { apiGroups: [''], resources: ['persistentvolumes', 'pods/status'], verbs: ['get'] },
        { apiGroups: [''], resources: ['*/finalize'], verbs: ['update'] },
      ]),
      clusterRoleBinding('alice', 'status-reader', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-1/status', objects)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/namespaces/a/pods/p/status', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/api/v1/namespaces/a/pods/p', objects)).toBe(false);
    expect(allowed(alice, 'PUT', '/api/v1/namespaces/a/finalize', objects)).toBe(true);
  });

  it('limits a rule with resourceNames to those names, and never to create, list or deletecollection', () => {
    const objects = [
      clusterRole('one-pv', [
        {
          apiGroups: [''],
          resources: ['persistentvolumes'],
          resourceNames: ['pv-1'],
          verbs: ['get', 'delete', 'create', 'list', 'deletecollection'],
        },
      ]),
      clusterRoleBinding('alice', 'one-pv', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-1', objects)).toBe(true);
    expect(allowed(alice, 'DELETE', '/api/v1/persistentvolumes/pv-1', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes/pv-2', objects)).toBe(false);
    expect(allowed(alice, 'POST', '/api/v1/persistentvolumes', objects)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/persistentvolumes', objects)).toBe(false);
    expect(allowed(alice, 'DELETE', '/api/v1/persistentvolumes', objects)).toBe(false);
    expect(
      allowed(alice, 'GET', '/api/v1/persistentvolumes?fieldSelector=metadata.name=pv-1', objects),
    ).toBe(true);
  });

  it('scopes a RoleBinding, to a Role or a ClusterRole, to its own namespace', () => {
    const claimReader = clusterRole('claim-reader', [
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get'] },
    ]);
    const objects = [
      claimReader,
      role('team-b', 'pod-lister', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      roleBinding('team-a', 'claims', { kind: 'ClusterRole', name: 'claim-reader' }, [
        { kind: 'User', name: 'alice' },
      ]),
      roleBinding('team-b', 'pods', { kind: 'Role', name: 'pod-lister' }, [
        { kind: 'User', name: 'alice' },
      ]),
    ];

    expect(
      allowed(alice, 'GET', '/api/v1/namespaces/team-a/persistentvolumeclaims/data', objects),
    ).toBe(true);
    expect(
      allowed(alice, 'GET', '/api/v1/namespaces/team-b/persistentvolumeclaims/data', objects),
    ).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/persistentvolumeclaims', objects)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/namespaces/team-b/pods', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/api/v1/namespaces/team-a/pods', objects)).toBe(false);
  });

  it('does not let a RoleBinding use a Role of another namespace', () => {
    const objects = [
      role('team-b', 'pod-lister', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      roleBinding('team-a', 'pods', { kind: 'Role', name: 'pod-lister' }, [
        { kind: 'User', name: 'alice' },
      ]),
    ];

    const decision = authorize(
      alice,
      asks('GET', '/api/v1/namespaces/team-a/pods'),
      staticPolicy(objects),
    );

    expect(decision).toEqual({
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "pod-lister" not found',
    });
  });

  it('grants a ClusterRoleBinding in every namespace and at the cluster scope', () => {
    const objects = [
      clusterRole('claim-reader', [
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list'] },
      ]),
      clusterRoleBinding('alice', 'claim-reader', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/api/v1/namespaces/x/persistentvolumeclaims/c', objects)).toBe(
      true,
    );
    expect(allowed(alice, 'GET', '/api/v1/persistentvolumeclaims', objects)).toBe(true);
  });

  it('binds service accounts by system:serviceaccount:<namespace>:<name>', () => {
    const objects = [
      pvEditor,
      roleBinding('team-a', 'robot', { kind: 'ClusterRole', name: 'pv-editor' }, [
        { kind: 'ServiceAccount', name: 'robot' },
      ]),
      clusterRoleBinding('deployer', 'pv-editor', [
        { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
      ]),
    ];
    const robot = { username: 'system:serviceaccount:team-a:robot', groups: [] };
    const deployer = { username: 'system:serviceaccount:ci:deployer', groups: [] };
    const impostor = { username: 'system:serviceaccount:team-b:robot', groups: [] };

    expect(allowed(deployer, 'GET', '/api/v1/persistentvolumes/pv', objects)).toBe(true);
    expect(allowed(robot, 'GET', '/api/v1/persistentvolumes/pv', objects)).toBe(false);
    expect(allowed(robot, 'GET', '/api/v1/namespaces/team-a/persistentvolumes/pv', objects)).toBe(
      true,
    );
    expect(
      allowed(impostor, 'GET', '/api/v1/namespaces/team-a/persistentvolumes/pv', objects),
    ).toBe(false);
  });

  it('allows system:masters everything without reading any role', () => {
    const root = { username: 'root', groups: [SUPERUSER_GROUP, AUTHENTICATED_GROUP] };
    const unreadable = {
      clusterRoleBindings: () => {
        throw new Error('read');
      },
      roleBindings: () => {
        throw new Error('read');
      },
      clusterRole: () => undefined,
      role: () => undefined,
    };

    expect(authorize(root, asks('DELETE', '/api/v1/namespaces'), unreadable).allowed).toBe(true);
    expect(authorize(root, asks('POST', '/logs/x'), unreadable).allowed).toBe(true);
  });

  it('reports a binding whose ClusterRole does not exist', () => {
    const objects = [clusterRoleBinding('alice', 'gone', [{ kind: 'User', name: 'alice' }])];

    expect(
      authorize(alice, asks('GET', '/api/v1/persistentvolumes/pv'), staticPolicy(objects)),
    ).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    });
  });

  it('lets every authenticated user discover the API through the default roles, and no more', () => {
    const defaults = defaultRbacObjects();
    const paths = ['/version', '/version/', '/api', '/api/v1', '/apis', '/apis/storage.k8s.io'];

    expect(
      [...paths, '/openapi/v3', '/openapi/v3/api/v1', '/healthz', '/livez', '/readyz'].map((path) =>
        allowed(alice, 'GET', path, defaults),
      ),
    ).toEqual(Array(11).fill(true));
    expect(allowed(alice, 'POST', '/api', defaults)).toBe(false);
    expect(allowed(alice, 'GET', '/metrics', defaults)).toBe(false);
    expect(allowed(alice, 'GET', '/api/v1/namespaces', defaults)).toBe(false);
    expect(allowed({ username: 'x', groups: [] }, 'GET', '/api', defaults)).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing * prefix', () => {
    const objects = [
      clusterRole('logs', [{ nonResourceURLs: ['/logs/*', '/metrics'], verbs: ['get'] }]),
      clusterRoleBinding('alice', 'logs', [{ kind: 'User', name: 'alice' }]),
    ];

    expect(allowed(alice, 'GET', '/logs/kube-apiserver.log', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/metrics', objects)).toBe(true);
    expect(allowed(alice, 'GET', '/metrics/slis', objects)).toBe(false);
    expect(allowed(alice, 'PUT', '/metrics', objects)).toBe(false);
  });
});

describe('infra/rbac.yaml as shipped', () => {
  const shipped = loadAll(readFileSync('infra/rbac.yaml', 'utf8'), null, {
    schema: CORE_SCHEMA,
  }) as KubeObject[];
  const objects = [...defaultRbacObjects(), ...shipped];
  const writer = { username: 'writer', groups: ['efs-volumes', AUTHENTICATED_GROUP] };
  const reader = { username: 'reader', groups: ['efs-volumes-reader', AUTHENTICATED_GROUP] };

  it('lets the writer group apply, read, list and delete what a volume applies', () => {
    const urls = [
      '/apis/storage.k8s.io/v1/storageclasses/efs-sc',
      '/api/v1/persistentvolumes/efs-vol-1',
      '/api/v1/namespaces/team-a/persistentvolumeclaims/data',
    ];

    for (const url of urls) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        expect(allowed(writer, method, url, objects), `${method} ${url}`).toBe(true);
      }
      const collection = url.slice(0, url.lastIndexOf('/'));
      expect(allowed(writer, 'POST', collection, objects), `POST ${collection}`).toBe(true);
    }
    const driver = '/apis/storage.k8s.io/v1/csidrivers/efs.csi.aws.com';
    expect(allowed(writer, 'GET', driver, objects)).toBe(true);
    expect(allowed(writer, 'PATCH', driver, objects)).toBe(true);
    expect(allowed(writer, 'POST', '/apis/storage.k8s.io/v1/csidrivers', objects)).toBe(true);
    expect(allowed(writer, 'GET', '/api/v1/persistentvolumes', objects)).toBe(true);
    // The mount check lists the Job's pods; it never reads one by name
    expect(allowed(writer, 'GET', '/api/v1/namespaces/team-a/pods', objects)).toBe(true);
    expect(allowed(writer, 'GET', '/api/v1/namespaces/team-a/pods/app-1', objects)).toBe(false);
    expect(allowed(writer, 'PUT', '/api/v1/persistentvolumes/efs-vol-1', objects)).toBe(false);
  });

  it('never lets the writer group delete the CSIDriver, nor read, patch or delete objects it does not name', () => {
    const refused = [
      ['DELETE', '/apis/storage.k8s.io/v1/csidrivers/efs.csi.aws.com'],
      ['GET', '/apis/storage.k8s.io/v1/csidrivers/ebs.csi.aws.com'],
      ['PATCH', '/apis/storage.k8s.io/v1/csidrivers/ebs.csi.aws.com'],
      ['GET', '/apis/storage.k8s.io/v1/csidrivers'],
      ['DELETE', '/apis/storage.k8s.io/v1/storageclasses/gp2'],
      ['PATCH', '/apis/storage.k8s.io/v1/storageclasses/gp2'],
      ['GET', '/apis/storage.k8s.io/v1/storageclasses'],
      ['GET', '/api/v1/persistentvolumeclaims'],
      ['DELETE', '/api/v1/persistentvolumes'],
    ];

    for (const [method, url] of refused) {
      expect(allowed(writer, method ?? '', url ?? '', objects), `${method} ${url}`).toBe(false);
    }
  });

  it('lets the reader group read namespaces, claims and volumes and list pods, and write nothing', () => {
    expect(allowed(reader, 'GET', '/api/v1/namespaces/team-a', objects)).toBe(true);
    expect(
      allowed(reader, 'GET', '/api/v1/namespaces/team-a/persistentvolumeclaims/c', objects),
    ).toBe(true);
    expect(allowed(reader, 'GET', '/api/v1/persistentvolumes/pv', objects)).toBe(true);
    expect(allowed(reader, 'GET', '/api/v1/namespaces/team-a/pods', objects)).toBe(true);
    expect(allowed(reader, 'PATCH', '/api/v1/persistentvolumes/pv', objects)).toBe(false);
    expect(
      allowed(reader, 'DELETE', '/api/v1/namespaces/team-a/persistentvolumeclaims/c', objects),
    ).toBe(false);
    expect(allowed(reader, 'GET', '/api/v1/namespaces/team-a/secrets/s', objects)).toBe(false);
  });
});

describe('accessForbidden', () => {
  it('words a refusal as the API server does: object, collection, namespace and path', () => {
    const messages = [
      accessForbidden('u', asks('DELETE', '/api/v1/persistentvolumes/pv-x')),
      accessForbidden('u', asks('GET', '/apis/storage.k8s.io/v1/storageclasses')),
      accessForbidden('u', asks('GET', '/api/v1/namespaces/team-a/pods/p/log')),
      accessForbidden(
        'u',
        asks('GET', '/metrics'),
        'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found',
      ),
    ].map((error) => [error.code, error.status.reason, error.message]);

    expect(messages).toEqual([
      [
        403,
        'Forbidden',
        'persistentvolumes "pv-x" is forbidden: User "u" cannot delete resource "persistentvolumes" in API group "" at the cluster scope',
      ],
      [
        403,
        'Forbidden',
        'storageclasses.storage.k8s.io is forbidden: User "u" cannot list resource "storageclasses" in API group "storage.k8s.io" at the cluster scope',
      ],
      [
        403,
        'Forbidden',
        'pods "p" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "team-a"',
      ],
      [
        403,
        'Forbidden',
        'forbidden: User "u" cannot get path "/metrics": RBAC: clusterrole.rbac.authorization.k8s.io "x" not found',
      ],
    ]);
  });
});
