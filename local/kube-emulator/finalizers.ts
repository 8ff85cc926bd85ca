/**
 * The controllers that finish deletions: storage-object-in-use protection (a claim stays while
 * a pod uses it, a volume while it is bound) and namespace deletion (contents first).
 */
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from './admission.ts';
import { claimsUsedBy } from './binding.ts';
import type { ClusterAccess, Controller } from './controller.ts';
import { isJsonMap, isTerminating, type KubeObject, valueAt } from './objects.ts';
import {
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  RESOURCE_TYPES,
  type ResourceType,
} from './resources.ts';

/** Whether deleting the object must wait (metadata finalizers, or a namespace's spec ones). */
export function hasPendingFinalizers(object: KubeObject): boolean {
  if ((object.metadata.finalizers ?? []).length > 0) return true;
  const specFinalizers = valueAt(object, ['spec', 'finalizers']);
  return object.kind === 'Namespace' && Array.isArray(specFinalizers) && specFinalizers.length > 0;
}

function removeFinalizer(
  cluster: ClusterAccess,
  resource: ResourceType,
  object: KubeObject,
  finalizer: string,
): void {
  const finalizers = object.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) return;
  cluster.update(resource, {
    ...object,
    metadata: { ...object.metadata, finalizers: finalizers.filter((item) => item !== finalizer) },
  });
}

function claimInUse(cluster: ClusterAccess, claim: KubeObject): boolean {
  return cluster.list(PODS, claim.metadata.namespace).some((pod) => {
    const phase = valueAt(pod, ['status', 'phase']);
    return (
      phase !== 'Succeeded' && phase !== 'Failed' && claimsUsedBy(pod).includes(claim.metadata.name)
    );
  });
}

function finishNamespace(cluster: ClusterAccess, namespace: KubeObject): void {
  const name = namespace.metadata.name;
  let remaining = 0;
  for (const resource of RESOURCE_TYPES.filter((type) => type.namespaced)) {
    for (const object of cluster.list(resource, name)) {
      remaining += 1;
      if (!isTerminating(object)) cluster.delete(resource, name, object.metadata.name);
    }
  }
  if (remaining > 0) return;
  const spec = isJsonMap(namespace.spec) ? namespace.spec : {};
  cluster.update(NAMESPACES, { ...namespace, spec: { ...spec, finalizers: [] } });
}

/** Releases protection finalizers that no longer apply and empties deleted namespaces. */
export const reconcileFinalizers: Controller = (cluster) => {
  for (const claim of cluster.list(PERSISTENT_VOLUME_CLAIMS)) {
    if (isTerminating(claim) && !claimInUse(cluster, claim)) {
      removeFinalizer(cluster, PERSISTENT_VOLUME_CLAIMS, claim, PVC_PROTECTION_FINALIZER);
    }
  }
  for (const volume of cluster.list(PERSISTENT_VOLUMES)) {
    if (isTerminating(volume) && valueAt(volume, ['status', 'phase']) !== 'Bound') {
      removeFinalizer(cluster, PERSISTENT_VOLUMES, volume, PV_PROTECTION_FINALIZER);
    }
  }
  for (const namespace of cluster.list(NAMESPACES)) {
    if (isTerminating(namespace)) finishNamespace(cluster, namespace);
  }
};
