/**
 * The admission plugins that matter for storage, applied to user writes: NamespaceLifecycle,
 * StorageObjectInUseProtection (protection finalizers) and PersistentVolumeClaimResize.
 */
import { isTerminating, type KubeObject, stringAt, valueAt } from './objects.ts';
import { parseQuantity } from './quantity.ts';
import {
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  type ResourceType,
  STORAGE_CLASSES,
} from './resources.ts';
import { forbidden, notFound } from './status.ts';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** Namespaces the API server refuses to delete. */
export const UNDELETABLE_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export type ObjectLookup = (
  resource: ResourceType,
  namespace: string | undefined,
  name: string,
) => KubeObject | undefined;

/**
 * NamespaceLifecycle: new namespaced objects need a namespace that exists and is not being
 * deleted.
 *
 * @throws KubeApiError NotFound (for the namespace) or Forbidden
 */
export function admitNewObject(resource: ResourceType, object: KubeObject, lookup: ObjectLookup) {
  if (!resource.namespaced) return;
  const namespaceName = object.metadata.namespace ?? '';
  const namespace = lookup(NAMESPACES, undefined, namespaceName);
  if (!namespace) throw notFound(NAMESPACES, namespaceName);
  if (isTerminating(namespace)) {
    throw forbidden(
      resource,
      object.metadata.name,
      `unable to create new content in namespace ${namespaceName} because it is being terminated`,
    );
  }
}

/** StorageObjectInUseProtection: volumes and claims are created with a protection finalizer. */
export function addProtectionFinalizer(resource: ResourceType, object: KubeObject): void {
  const finalizer =
    resource === PERSISTENT_VOLUME_CLAIMS
      ? PVC_PROTECTION_FINALIZER
      : resource === PERSISTENT_VOLUMES
        ? PV_PROTECTION_FINALIZER
        : undefined;
  if (!finalizer) return;
  const finalizers = object.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) object.metadata.finalizers = [...finalizers, finalizer];
}

/**
 * PersistentVolumeClaimResize: a claim may grow only when its StorageClass allows expansion.
 *
 * @throws KubeApiError Forbidden
 */
export function admitClaimResize(old: KubeObject, next: KubeObject, lookup: ObjectLookup): void {
  const before = parseQuantity(valueAt(old, ['spec', 'resources', 'requests', 'storage']));
  const after = parseQuantity(valueAt(next, ['spec', 'resources', 'requests', 'storage']));
  if (before === undefined || after === undefined || after <= before) return;
  const className = stringAt(next, ['spec', 'storageClassName']) ?? '';
  const storageClass = className ? lookup(STORAGE_CLASSES, undefined, className) : undefined;
  if (storageClass?.allowVolumeExpansion === true) return;
  throw forbidden(
    PERSISTENT_VOLUME_CLAIMS,
    next.metadata.name,
    'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
  );
}
