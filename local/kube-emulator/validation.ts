/**
 * Validation as the API server does it before storing: names, labels, the fields each kind
 * requires, and the fields that cannot change after creation. Each problem is a Status cause.
 */

import { forbiddenChange, invalidValue, required, unsupported } from './field-errors.ts';
import { isJsonMap, jsonEqual, type KubeObject, mapAt, stringAt, valueAt } from './objects.ts';
import { parseQuantity } from './quantity.ts';
import {
  validatePathSegmentName,
  validatePolicyRules,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from './rbac-validation.ts';
import { RBAC_GROUP, type ResourceType } from './resources.ts';
import type { StatusCause } from './status.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_RULE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const LABEL_NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const VOLUME_MODES = ['Block', 'Filesystem'];
/** The persistent volume sources a PV may name; exactly one is required. */
const VOLUME_SOURCES = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'csi',
  'fc',
  'flexVolume',
  'gcePersistentDisk',
  'glusterfs',
  'hostPath',
  'iscsi',
  'local',
  'nfs',
  'rbd',
  'vsphereVolume',
];

function validateName(resource: ResourceType, name: string): StatusCause[] {
  if (!name) return [required('metadata.name', 'name or generateName is required')];
  if (resource.group === RBAC_GROUP) return validatePathSegmentName(name);
  const asLabel = resource.kind === 'Namespace';
  const limit = asLabel ? 63 : 253;
  const causes: StatusCause[] = [];
  if (name.length > limit) {
    causes.push(invalidValue('metadata.name', name, `must be no more than ${limit} characters`));
  }
  if (!(asLabel ? DNS1123_LABEL : DNS1123_SUBDOMAIN).test(name)) {
    causes.push(invalidValue('metadata.name', name, asLabel ? LABEL_RULE : SUBDOMAIN_RULE));
  }
  return causes;
}

function validateLabels(object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? '' : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    if (prefix && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
      causes.push(invalidValue('metadata.labels', key, `prefix part ${SUBDOMAIN_RULE}`));
    }
    if (name.length > 63 || !LABEL_NAME.test(name)) {
      causes.push(invalidValue('metadata.labels', key, LABEL_NAME_RULE));
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(invalidValue('metadata.labels', value, LABEL_VALUE_RULE));
    }
  }
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) {
    if (typeof value !== 'string') {
      causes.push(invalidValue('metadata.annotations', key, 'annotation values must be strings'));
    }
  }
  return causes;
}

function validateAccessModes(object: KubeObject, field: string): StatusCause[] {
  const modes = valueAt(object, field.split('.'));
  if (!Array.isArray(modes) || modes.length === 0) return [required(field)];
  return modes
    .filter((mode) => !ACCESS_MODES.includes(String(mode)))
    .map((mode) => unsupported(field, mode, ACCESS_MODES));
}

function validateEnum(
  object: KubeObject,
  field: string,
  supported: readonly string[],
): StatusCause[] {
  const value = valueAt(object, field.split('.'));
  return value === undefined || supported.includes(String(value))
    ? []
    : [unsupported(field, value, supported)];
}

function validateStorageQuantity(object: KubeObject, path: string[], field: string): StatusCause[] {
  const value = valueAt(object, path);
  if (value === undefined) return [required(field)];
  return parseQuantity(value) === undefined
    ? [
        invalidValue(
          field,
          value,
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
      ]
    : [];
}

function validatePersistentVolume(pv: KubeObject): StatusCause[] {
  const causes = [
    ...validateStorageQuantity(pv, ['spec', 'capacity', 'storage'], 'spec.capacity'),
    ...validateAccessModes(pv, 'spec.accessModes'),
    ...validateEnum(pv, 'spec.persistentVolumeReclaimPolicy', RECLAIM_POLICIES),
    ...validateEnum(pv, 'spec.volumeMode', VOLUME_MODES),
  ];
  const spec = mapAt(pv, ['spec']) ?? {};
  const sources = VOLUME_SOURCES.filter((source) => spec[source] !== undefined);
  if (sources.length === 0) causes.push(required('spec', 'must specify a volume type'));
  if (sources.length > 1) {
    causes.push(forbiddenChange(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  }
  if (spec.csi !== undefined) {
    if (!stringAt(spec, ['csi', 'driver'])) causes.push(required('spec.csi.driver'));
    if (!stringAt(spec, ['csi', 'volumeHandle'])) causes.push(required('spec.csi.volumeHandle'));
  }
  return causes;
}

function validatePersistentVolumeClaim(pvc: KubeObject): StatusCause[] {
  return [
    ...validateAccessModes(pvc, 'spec.accessModes'),
    ...validateStorageQuantity(
      pvc,
      ['spec', 'resources', 'requests', 'storage'],
      'spec.resources[storage]',
    ),
    ...validateEnum(pvc, 'spec.volumeMode', VOLUME_MODES),
  ];
}

function validateStorageClass(storageClass: KubeObject): StatusCause[] {
  return [
    ...(typeof storageClass.provisioner === 'string' && storageClass.provisioner
      ? []
      : [required('provisioner')]),
    ...validateEnum(storageClass, 'reclaimPolicy', ['Delete', 'Retain']),
    ...validateEnum(storageClass, 'volumeBindingMode', BINDING_MODES),
  ];
}

function validatePod(pod: KubeObject): StatusCause[] {
  const containers = valueAt(pod, ['spec', 'containers']);
  return Array.isArray(containers) && containers.length > 0 ? [] : [required('spec.containers')];
}

/** A Job's pod template: containers, and a restart policy a Job allows. */
function validateJob(job: KubeObject): StatusCause[] {
  const containers = valueAt(job, ['spec', 'template', 'spec', 'containers']);
  const restartPolicy = valueAt(job, ['spec', 'template', 'spec', 'restartPolicy']);
  return [
    ...(Array.isArray(containers) && containers.length > 0
      ? []
      : [required('spec.template.spec.containers')]),
    ...(restartPolicy === 'Never' || restartPolicy === 'OnFailure'
      ? []
      : [
          {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${String(restartPolicy ?? 'Always')}": supported values: "OnFailure", "Never"`,
            field: 'spec.template.spec.restartPolicy',
          },
        ]),
  ];
}

/** The CRD's schema: `spec.securityGroups.groupIds` holds 1 to 16 security group ids. */
function validateSecurityGroupPolicy(policy: KubeObject): StatusCause[] {
  const field = 'spec.securityGroups.groupIds';
  const groupIds = valueAt(policy, ['spec', 'securityGroups', 'groupIds']);
  if (groupIds === undefined) return [];
  if (!Array.isArray(groupIds) || !groupIds.every((id) => typeof id === 'string')) {
    return [invalidValue(field, groupIds, `${field} in body must be of type array of strings`)];
  }
  if (groupIds.length < 1) {
    return [invalidValue(field, groupIds.length, `${field} in body should have at least 1 items`)];
  }
  if (groupIds.length > 16) {
    return [
      {
        reason: 'FieldValueTooMany',
        message: `Too many: ${groupIds.length}: must have at most 16 items`,
        field,
      },
    ];
  }
  return [];
}

/** Problems with an object as it would be stored (after defaults). */
export function validateObject(resource: ResourceType, object: KubeObject): StatusCause[] {
  const causes = [...validateName(resource, object.metadata.name), ...validateLabels(object)];
  switch (resource.kind) {
    case 'PersistentVolume':
      return [...causes, ...validatePersistentVolume(object)];
    case 'PersistentVolumeClaim':
      return [...causes, ...validatePersistentVolumeClaim(object)];
    case 'StorageClass':
      return [...causes, ...validateStorageClass(object)];
    case 'Pod':
      return [...causes, ...validatePod(object)];
    case 'Job':
      return [...causes, ...validateJob(object)];
    case 'SecurityGroupPolicy':
      return [...causes, ...validateSecurityGroupPolicy(object)];
    case 'Role':
    case 'ClusterRole':
      return [...causes, ...validatePolicyRules(object, resource.namespaced)];
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return [...causes, ...validateRoleBinding(object, resource.namespaced)];
    default:
      return causes;
  }
}

function withoutKeys(value: unknown, paths: readonly (readonly string[])[]): unknown {
  if (!isJsonMap(value)) return value;
  const copy = structuredClone(value);
  for (const path of paths) {
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = isJsonMap(node) ? node[key] : undefined;
    const last = path.at(-1);
    if (isJsonMap(node) && last !== undefined) delete node[last];
  }
  return copy;
}

function immutablePersistentVolumeClaim(old: KubeObject, next: KubeObject): StatusCause[] {
  const mutable = [['resources', 'requests'], ['volumeAttributesClassName']];
  const oldSpec = withoutKeys(old.spec, mutable);
  const nextSpec = withoutKeys(next.spec, mutable);
  // The binder may set volumeName once, as the real PV controller does.
  if (isJsonMap(oldSpec) && isJsonMap(nextSpec) && oldSpec.volumeName === undefined) {
    delete nextSpec.volumeName;
  }
  const causes: StatusCause[] = [];
  if (!jsonEqual(oldSpec, nextSpec)) {
    causes.push(
      forbiddenChange(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const before = parseQuantity(valueAt(old, ['spec', 'resources', 'requests', 'storage']));
  const after = parseQuantity(valueAt(next, ['spec', 'resources', 'requests', 'storage']));
  if (before !== undefined && after !== undefined && after < before) {
    causes.push(
      forbiddenChange(
        'spec.resources.requests.storage',
        'field can not be less than previous value',
      ),
    );
  }
  return causes;
}

function immutablePersistentVolume(old: KubeObject, next: KubeObject): StatusCause[] {
  const sourceOf = (pv: KubeObject) =>
    VOLUME_SOURCES.map((source) => valueAt(pv, ['spec', source]));
  return jsonEqual(sourceOf(old), sourceOf(next))
    ? []
    : [
        forbiddenChange(
          'spec.persistentvolumesource',
          'spec.persistentvolumesource is forbidden to be changed',
        ),
      ];
}

function immutableStorageClass(old: KubeObject, next: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['parameters', 'provisioner', 'reclaimPolicy']) {
    if (!jsonEqual(old[field], next[field])) {
      causes.push(forbiddenChange(field, `updates to ${field} are forbidden.`));
    }
  }
  if (!jsonEqual(old.volumeBindingMode, next.volumeBindingMode)) {
    causes.push(invalidValue('volumeBindingMode', next.volumeBindingMode, 'field is immutable'));
  }
  return causes;
}

function immutableCsiDriver(old: KubeObject, next: KubeObject): StatusCause[] {
  return ['attachRequired', 'podInfoOnMount']
    .filter((field) => !jsonEqual(valueAt(old, ['spec', field]), valueAt(next, ['spec', field])))
    .map((field) =>
      invalidValue(`spec.${field}`, valueAt(next, ['spec', field]) ?? null, 'field is immutable'),
    );
}

/** Problems with changing `old` into `next` (both after defaults). */
export function validateUpdate(
  resource: ResourceType,
  old: KubeObject,
  next: KubeObject,
): StatusCause[] {
  switch (resource.kind) {
    case 'PersistentVolumeClaim':
      return immutablePersistentVolumeClaim(old, next);
    case 'PersistentVolume':
      return immutablePersistentVolume(old, next);
    case 'StorageClass':
      return immutableStorageClass(old, next);
    case 'CSIDriver':
      return immutableCsiDriver(old, next);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return validateRoleBindingUpdate(old, next);
    default:
      return [];
  }
}
