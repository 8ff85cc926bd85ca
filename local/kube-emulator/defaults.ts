/**
 * The defaults the API server fills in on every write, so objects read back as they would from
 * a real cluster (and immutability checks compare defaulted values, as the real ones do).
 */
import { isJsonMap, type JsonMap, type KubeObject } from './objects.ts';
import { RBAC_GROUP, type ResourceType } from './resources.ts';

function mapField(parent: JsonMap, key: string): JsonMap {
  const existing = parent[key];
  if (isJsonMap(existing)) return existing;
  const created: JsonMap = {};
  parent[key] = created;
  return created;
}

function defaultTo(map: JsonMap, key: string, value: unknown): void {
  if (map[key] === undefined) map[key] = value;
}

/** Fills in defaults in place; `status` is the initial status, used only when none is set. */
export function applyDefaults(resource: ResourceType, object: KubeObject): KubeObject {
  switch (resource.kind) {
    case 'Namespace': {
      object.metadata.labels = {
        ...object.metadata.labels,
        'kubernetes.io/metadata.name': object.metadata.name,
      };
      defaultTo(mapField(object, 'spec'), 'finalizers', ['kubernetes']);
      defaultTo(object, 'status', { phase: 'Active' });
      break;
    }
    case 'PersistentVolume': {
      const spec = mapField(object, 'spec');
      defaultTo(spec, 'persistentVolumeReclaimPolicy', 'Retain');
      defaultTo(spec, 'volumeMode', 'Filesystem');
      defaultTo(object, 'status', { phase: 'Pending' });
      break;
    }
    case 'PersistentVolumeClaim': {
      defaultTo(mapField(object, 'spec'), 'volumeMode', 'Filesystem');
      defaultTo(object, 'status', { phase: 'Pending' });
      break;
    }
    case 'Pod': {
      const spec = mapField(object, 'spec');
      defaultTo(spec, 'restartPolicy', 'Always');
      defaultTo(spec, 'dnsPolicy', 'ClusterFirst');
      defaultTo(spec, 'schedulerName', 'default-scheduler');
      defaultTo(spec, 'terminationGracePeriodSeconds', 30);
      defaultTo(object, 'status', { phase: 'Pending', qosClass: 'BestEffort' });
      break;
    }
    case 'StorageClass': {
      defaultTo(object, 'reclaimPolicy', 'Delete');
      defaultTo(object, 'volumeBindingMode', 'Immediate');
      break;
    }
    case 'CSIDriver': {
      const spec = mapField(object, 'spec');
      defaultTo(spec, 'attachRequired', true);
      defaultTo(spec, 'podInfoOnMount', false);
      defaultTo(spec, 'requiresRepublish', false);
      defaultTo(spec, 'storageCapacity', false);
      defaultTo(spec, 'seLinuxMount', false);
      defaultTo(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
      defaultTo(spec, 'volumeLifecycleModes', ['Persistent']);
      break;
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      // rbac/v1 SetDefaults_RoleBinding and SetDefaults_Subject.
      if (isJsonMap(object.roleRef)) defaultTo(object.roleRef, 'apiGroup', RBAC_GROUP);
      for (const subject of Array.isArray(object.subjects) ? object.subjects : []) {
        if (isJsonMap(subject) && (subject.kind === 'User' || subject.kind === 'Group')) {
          defaultTo(subject, 'apiGroup', RBAC_GROUP);
        }
      }
      break;
    }
  }
  return object;
}
