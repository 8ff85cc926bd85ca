/**
 * Server-side printing: the `Table` (meta.k8s.io/v1) answer kubectl asks for with
 * `Accept: …;as=Table`, with the columns the real API server prints for each kind.
 */
import { isJsonMap, type KubeObject, mapAt, stringAt, stringListAt, valueAt } from './objects.ts';
import type { ResourceKind } from './resources.ts';

type Cell = string | number | boolean;

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'boolean' | 'date';
  readonly format?: 'name';
  readonly priority?: number;
  readonly cell: (object: KubeObject, now: Date) => Cell;
}

const MODE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** Go's `duration.HumanDuration`, as kubectl's AGE column shows it. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

const text = (path: string[]) => (object: KubeObject) => {
  const value = valueAt(object, path);
  return value === undefined || value === null ? '' : String(value);
};
const accessModes = (path: string[]) => (object: KubeObject) =>
  stringListAt(object, path)
    .map((mode) => MODE_ABBREVIATIONS[mode] ?? mode)
    .join(',');

/** The STATUS column: the phase, or Terminating once deletion has begun. */
const phase = (object: KubeObject) =>
  object.metadata.deletionTimestamp ? 'Terminating' : text(['status', 'phase'])(object);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const AGE: Column = {
  name: 'Age',
  type: 'string',
  cell: (object, now) => {
    const created = Date.parse(object.metadata.creationTimestamp ?? '');
    return Number.isNaN(created) ? '<unknown>' : humanDuration(now.getTime() - created);
  },
};

const CREATED_AT: Column = {
  name: 'Created At',
  type: 'date',
  cell: (object) => object.metadata.creationTimestamp ?? '',
};

/** The subjects of a binding of one kind, as kubectl's wide output lists them. */
const subjectsOfKind = (kind: string) => (object: KubeObject) => {
  const subjects = valueAt(object, ['subjects']);
  return (Array.isArray(subjects) ? subjects : [])
    .filter((subject) => stringAt(subject, ['kind']) === kind)
    .map((subject) => {
      const name = stringAt(subject, ['name']) ?? '';
      const namespace = stringAt(subject, ['namespace']);
      return kind === 'ServiceAccount' && namespace ? `${namespace}/${name}` : name;
    })
    .join(', ');
};

const BINDING_COLUMNS: readonly Column[] = [
  NAME,
  {
    name: 'Role',
    type: 'string',
    cell: (object) =>
      `${stringAt(object, ['roleRef', 'kind']) ?? ''}/${stringAt(object, ['roleRef', 'name']) ?? ''}`,
  },
  AGE,
  { name: 'Users', type: 'string', priority: 1, cell: subjectsOfKind('User') },
  { name: 'Groups', type: 'string', priority: 1, cell: subjectsOfKind('Group') },
  { name: 'ServiceAccounts', type: 'string', priority: 1, cell: subjectsOfKind('ServiceAccount') },
];

const COLUMNS: Readonly<Record<ResourceKind, readonly Column[]>> = {
  // A custom resource prints Name and its CRD's additionalPrinterColumns, no Age.
  SecurityGroupPolicy: [
    NAME,
    {
      name: 'Security-Group-Ids',
      type: 'string',
      cell: (object) =>
        JSON.stringify(valueAt(object, ['spec', 'securityGroups', 'groupIds']) ?? null),
    },
  ],
  Role: [NAME, CREATED_AT],
  // kubectl get jobs: Status (Complete, Failed, Running), Completions, Age.
  Job: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      cell: (object) => {
        const conditions = valueAt(object, ['status', 'conditions']);
        const ended = Array.isArray(conditions)
          ? conditions.find(
              (condition) =>
                isJsonMap(condition) &&
                condition.status === 'True' &&
                (condition.type === 'Complete' || condition.type === 'Failed'),
            )
          : undefined;
        return isJsonMap(ended) ? String(ended.type) : 'Running';
      },
    },
    {
      name: 'Completions',
      type: 'string',
      cell: (object) => `${Number(valueAt(object, ['status', 'succeeded']) ?? 0)}/1`,
    },
    AGE,
  ],
  // kubectl get events: Last Seen, Type, Reason, Object, Message.
  Event: [
    { name: 'Type', type: 'string', cell: text(['type']) },
    { name: 'Reason', type: 'string', cell: text(['reason']) },
    {
      name: 'Object',
      type: 'string',
      cell: (object) =>
        `${(stringAt(object, ['involvedObject', 'kind']) ?? '').toLowerCase()}/${stringAt(object, ['involvedObject', 'name']) ?? ''}`,
    },
    { name: 'Message', type: 'string', cell: text(['message']) },
  ],
  ClusterRole: [NAME, CREATED_AT],
  RoleBinding: BINDING_COLUMNS,
  ClusterRoleBinding: BINDING_COLUMNS,
  Namespace: [NAME, { name: 'Status', type: 'string', cell: phase }, AGE],
  PersistentVolume: [
    NAME,
    { name: 'Capacity', type: 'string', cell: text(['spec', 'capacity', 'storage']) },
    { name: 'Access Modes', type: 'string', cell: accessModes(['spec', 'accessModes']) },
    {
      name: 'Reclaim Policy',
      type: 'string',
      cell: text(['spec', 'persistentVolumeReclaimPolicy']),
    },
    { name: 'Status', type: 'string', cell: phase },
    {
      name: 'Claim',
      type: 'string',
      cell: (object) => {
        const ref = mapAt(object, ['spec', 'claimRef']);
        return ref ? `${String(ref.namespace ?? '')}/${String(ref.name ?? '')}` : '';
      },
    },
    { name: 'StorageClass', type: 'string', cell: text(['spec', 'storageClassName']) },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      cell: (object) => stringAt(object, ['spec', 'volumeAttributesClassName']) ?? '<unset>',
    },
    { name: 'Reason', type: 'string', cell: text(['status', 'reason']) },
    AGE,
    { name: 'VolumeMode', type: 'string', priority: 1, cell: text(['spec', 'volumeMode']) },
  ],
  PersistentVolumeClaim: [
    NAME,
    { name: 'Status', type: 'string', cell: phase },
    { name: 'Volume', type: 'string', cell: text(['spec', 'volumeName']) },
    { name: 'Capacity', type: 'string', cell: text(['status', 'capacity', 'storage']) },
    { name: 'Access Modes', type: 'string', cell: accessModes(['status', 'accessModes']) },
    { name: 'StorageClass', type: 'string', cell: text(['spec', 'storageClassName']) },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      cell: (object) => stringAt(object, ['spec', 'volumeAttributesClassName']) ?? '<unset>',
    },
    AGE,
    { name: 'VolumeMode', type: 'string', priority: 1, cell: text(['spec', 'volumeMode']) },
  ],
  Pod: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (object) => {
        const containers = valueAt(object, ['spec', 'containers']);
        return `0/${Array.isArray(containers) ? containers.length : 0}`;
      },
    },
    { name: 'Status', type: 'string', cell: phase },
    { name: 'Restarts', type: 'string', cell: () => '0' },
    AGE,
    {
      name: 'Node',
      type: 'string',
      priority: 1,
      cell: (o) => stringAt(o, ['spec', 'nodeName']) ?? '<none>',
    },
  ],
  StorageClass: [
    {
      ...NAME,
      cell: (object) =>
        object.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'
          ? `${object.metadata.name} (default)`
          : object.metadata.name,
    },
    { name: 'Provisioner', type: 'string', cell: text(['provisioner']) },
    { name: 'ReclaimPolicy', type: 'string', cell: text(['reclaimPolicy']) },
    { name: 'VolumeBindingMode', type: 'string', cell: text(['volumeBindingMode']) },
    {
      name: 'AllowVolumeExpansion',
      type: 'string',
      cell: (object) => String(object.allowVolumeExpansion === true),
    },
    AGE,
  ],
  CSIDriver: [
    NAME,
    {
      name: 'AttachRequired',
      type: 'boolean',
      cell: (o) => valueAt(o, ['spec', 'attachRequired']) === true,
    },
    {
      name: 'PodInfoOnMount',
      type: 'boolean',
      cell: (o) => valueAt(o, ['spec', 'podInfoOnMount']) === true,
    },
    {
      name: 'StorageCapacity',
      type: 'boolean',
      cell: (o) => valueAt(o, ['spec', 'storageCapacity']) === true,
    },
    {
      name: 'TokenRequests',
      type: 'string',
      cell: (object) => {
        const requests = valueAt(object, ['spec', 'tokenRequests']);
        return Array.isArray(requests) && requests.length > 0
          ? requests.map((request) => stringAt(request, ['audience']) ?? '').join(',')
          : '<unset>';
      },
    },
    {
      name: 'RequiresRepublish',
      type: 'boolean',
      cell: (o) => valueAt(o, ['spec', 'requiresRepublish']) === true,
    },
    {
      name: 'Modes',
      type: 'string',
      cell: (object) =>
        stringListAt(object, ['spec', 'volumeLifecycleModes']).join(',') || '<none>',
    },
    AGE,
  ],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A `Table` of `objects`, one row each, as kubectl prints them. */
export function toTable(
  kind: ResourceKind,
  objects: readonly KubeObject[],
  options: {
    readonly resourceVersion: string;
    readonly now: Date;
    readonly includeObject: IncludeObject;
  },
): Record<string, unknown> {
  const columns = COLUMNS[kind];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column.format ?? '',
      description: '',
      priority: column.priority ?? 0,
    })),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object, options.now)),
      ...(options.includeObject === 'None'
        ? {}
        : {
            object:
              options.includeObject === 'Object'
                ? object
                : {
                    kind: 'PartialObjectMetadata',
                    apiVersion: 'meta.k8s.io/v1',
                    metadata: object.metadata,
                  },
          }),
    })),
  };
}
