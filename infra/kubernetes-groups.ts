/** The Kubernetes groups of infra/rbac.yaml, as the stack's access entries assign them. */
export const KUBERNETES_GROUP_NAMES = {
  /** get/list/create/patch/delete on PersistentVolumes, claims, StorageClasses, CSIDrivers. */
  writer: 'efs-volumes',
  /** get namespaces, claims and PersistentVolumes; list pods. */
  reader: 'efs-volumes-reader',
} as const;

export type KubernetesGroup = keyof typeof KUBERNETES_GROUP_NAMES;
