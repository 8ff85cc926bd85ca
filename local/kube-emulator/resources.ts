/**
 * The resource types the emulator serves, described once: discovery, routing, Status messages
 * and the client libraries' path building all read these descriptions.
 */

export type ResourceKind =
  | 'Namespace'
  | 'PersistentVolume'
  | 'PersistentVolumeClaim'
  | 'Pod'
  | 'Event'
  | 'Job'
  | 'StorageClass'
  | 'CSIDriver'
  | 'SecurityGroupPolicy'
  | 'Role'
  | 'ClusterRole'
  | 'RoleBinding'
  | 'ClusterRoleBinding';

export interface ResourceType {
  /** The API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural name used in URLs, e.g. `persistentvolumeclaims`. */
  readonly plural: string;
  readonly singular: string;
  readonly kind: ResourceKind;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
}

/** The verbs served for every resource type (no watch: the emulator has no event stream). */
export const RESOURCE_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
] as const;

export const NAMESPACES: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
};

export const PERSISTENT_VOLUMES: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  kind: 'PersistentVolume',
  namespaced: false,
  shortNames: ['pv'],
  categories: [],
};

export const PERSISTENT_VOLUME_CLAIMS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
  shortNames: ['pvc'],
  categories: [],
};

export const PODS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
};

/** Core events: what the kubelet and controllers report about an object (`kubectl describe`). */
export const EVENTS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'events',
  singular: 'event',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
};

/** batch/v1 Jobs: run by local/kube-emulator/jobs.ts, their pods' mounts decided by a hook. */
export const JOBS: ResourceType = {
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  singular: 'job',
  kind: 'Job',
  namespaced: true,
  shortNames: [],
  categories: ['all'],
};

export const STORAGE_CLASSES: ResourceType = {
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'storageclasses',
  singular: 'storageclass',
  kind: 'StorageClass',
  namespaced: false,
  shortNames: ['sc'],
  categories: [],
};

export const CSI_DRIVERS: ResourceType = {
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'csidrivers',
  singular: 'csidriver',
  kind: 'CSIDriver',
  namespaced: false,
  shortNames: [],
  categories: [],
};

/**
 * The VPC resource controller's custom resource (its CRD `securitygrouppolicies.vpcresources.k8s.aws`,
 * served by every EKS cluster): the security groups EKS gives the selected pods, Fargate's
 * included. Namespace network isolation applies one per namespace.
 */
export const SECURITY_GROUP_POLICIES: ResourceType = {
  group: 'vpcresources.k8s.aws',
  version: 'v1beta1',
  plural: 'securitygrouppolicies',
  singular: 'securitygrouppolicy',
  kind: 'SecurityGroupPolicy',
  namespaced: true,
  shortNames: ['sgp'],
  categories: [],
};

/** The group of Role, ClusterRole and their bindings. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const ROLES: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  plural: 'roles',
  singular: 'role',
  kind: 'Role',
  namespaced: true,
  shortNames: [],
  categories: [],
};

export const CLUSTER_ROLES: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  plural: 'clusterroles',
  singular: 'clusterrole',
  kind: 'ClusterRole',
  namespaced: false,
  shortNames: [],
  categories: [],
};

export const ROLE_BINDINGS: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  plural: 'rolebindings',
  singular: 'rolebinding',
  kind: 'RoleBinding',
  namespaced: true,
  shortNames: [],
  categories: [],
};

export const CLUSTER_ROLE_BINDINGS: ResourceType = {
  group: RBAC_GROUP,
  version: 'v1',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  kind: 'ClusterRoleBinding',
  namespaced: false,
  shortNames: [],
  categories: [],
};

export const RESOURCE_TYPES: readonly ResourceType[] = [
  NAMESPACES,
  PERSISTENT_VOLUMES,
  PERSISTENT_VOLUME_CLAIMS,
  PODS,
  EVENTS,
  JOBS,
  STORAGE_CLASSES,
  CSI_DRIVERS,
  SECURITY_GROUP_POLICIES,
  ROLES,
  CLUSTER_ROLES,
  ROLE_BINDINGS,
  CLUSTER_ROLE_BINDINGS,
];

/** `v1` or `storage.k8s.io/v1`. */
export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `persistentvolumeclaims` or `storageclasses.storage.k8s.io`, as Status messages name them. */
export function groupResourceOf(resource: ResourceType): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** `PersistentVolumeClaim` or `StorageClass.storage.k8s.io`, as Invalid messages name them. */
export function groupKindOf(resource: ResourceType): string {
  return resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
}

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (resource) =>
      resource.group === group && resource.version === version && resource.plural === plural,
  );
}

/** The resource type of an object's `apiVersion` and `kind`, if the emulator serves it. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (resource) => apiVersionOf(resource) === apiVersion && resource.kind === kind,
  );
}

/** The group versions served, in discovery order. */
export function servedGroupVersions(): ReadonlyArray<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const resource of RESOURCE_TYPES) {
    seen.set(apiVersionOf(resource), { group: resource.group, version: resource.version });
  }
  return [...seen.values()];
}
