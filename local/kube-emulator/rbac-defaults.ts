/**
 * The default ClusterRoles and ClusterRoleBindings every cluster starts with (the API server's
 * bootstrap policy), those that matter here: `cluster-admin` for `system:masters`, and the
 * discovery roles that let every authenticated user read `/version`, `/api`, `/apis`,
 * `/openapi` and the health endpoints, which kubectl and the client libraries ask first.
 */
import type { KubeObject } from './objects.ts';
import { AUTHENTICATED_GROUP, SUPERUSER_GROUP } from './rbac.ts';

const BOOTSTRAP_METADATA = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

function clusterRole(name: string, rules: readonly Record<string, string[]>[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, ...structuredClone(BOOTSTRAP_METADATA) },
    rules: structuredClone(rules),
  };
}

function clusterRoleBinding(name: string, groups: readonly string[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, ...structuredClone(BOOTSTRAP_METADATA) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: groups.map((group) => ({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Group',
      name: group,
    })),
  };
}

const HEALTH_AND_VERSION = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/** The bootstrap ClusterRoles, then their ClusterRoleBindings. */
export function defaultRbacObjects(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    clusterRole('system:discovery', [
      {
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
        verbs: ['get'],
      },
    ]),
    clusterRole('system:public-info-viewer', [
      { nonResourceURLs: HEALTH_AND_VERSION, verbs: ['get'] },
    ]),
    clusterRole('system:basic-user', [
      {
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
        verbs: ['create'],
      },
      {
        apiGroups: ['authentication.k8s.io'],
        resources: ['selfsubjectreviews'],
        verbs: ['create'],
      },
    ]),
    clusterRoleBinding('cluster-admin', [SUPERUSER_GROUP]),
    clusterRoleBinding('system:discovery', [AUTHENTICATED_GROUP]),
    clusterRoleBinding('system:public-info-viewer', [
      AUTHENTICATED_GROUP,
      'system:unauthenticated',
    ]),
    clusterRoleBinding('system:basic-user', [AUTHENTICATED_GROUP]),
  ];
}
