/**
 * Server-side apply: merge an applied configuration into the stored object, track what each
 * manager owns, refuse to change another manager's fields unless forced, and drop fields a
 * manager stops applying when nobody else owns them.
 */
import { describePath, type FieldPath, FieldSet, isWithin, ownableContent } from './field-set.ts';
import {
  fieldsOf,
  type ManagerKey,
  ownershipOf,
  releaseFields,
  withFields,
  writeOwnership,
} from './managed-fields.ts';
import {
  cloneObject,
  isJsonMap,
  type JsonMap,
  jsonEqual,
  type KubeObject,
  removeValueAt,
  valueAt,
} from './objects.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { conflict, type StatusCause } from './status.ts';

export interface ApplyRequest {
  readonly resource: ResourceType;
  /** The stored object, or undefined to create it. */
  readonly existing: KubeObject | undefined;
  /** The applied configuration; its identity (kind, name, namespace) is already checked. */
  readonly applied: KubeObject;
  readonly manager: string;
  readonly force: boolean;
  /** The time written into the manager's managedFields entry. */
  readonly time: string;
}

/** Applied configurations say "not specified" with null; such fields are simply absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonMap(value)) return value;
  const result: JsonMap = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && child !== undefined) result[key] = withoutNulls(child);
  }
  return result;
}

/** Maps merge key by key; lists and scalars from `overlay` replace. */
function mergeInto(base: JsonMap, overlay: JsonMap): void {
  for (const [key, value] of Object.entries(overlay)) {
    const current = base[key];
    if (isJsonMap(current) && isJsonMap(value)) {
      mergeInto(current, value);
    } else {
      base[key] = cloneObject(value);
    }
  }
}

/** Whether merging `applied` over `current` changes it: an applied map only adds keys. */
function changesValue(current: unknown, applied: unknown): boolean {
  if (isJsonMap(applied) && Object.keys(applied).length === 0) return !isJsonMap(current);
  return !jsonEqual(current, applied);
}

interface FieldConflict {
  readonly manager: string;
  readonly apiVersion: string;
  readonly path: FieldPath;
}

function conflictError(request: ApplyRequest, conflicts: readonly FieldConflict[]): Error {
  const byManager = new Map<string, FieldConflict[]>();
  for (const found of conflicts) {
    byManager.set(found.manager, [...(byManager.get(found.manager) ?? []), found]);
  }
  const parts = [...byManager.entries()].map(([manager, found]) => {
    const using = `"${manager}" using ${found[0]?.apiVersion ?? ''}`;
    return found.length === 1
      ? `conflict with ${using}: ${describePath(found[0]?.path ?? [])}`
      : `conflicts with ${using}:\n${found.map((item) => `- ${describePath(item.path)}`).join('\n')}`;
  });
  const count = conflicts.length;
  const message = `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${parts.join('\n')}`;
  const causes: StatusCause[] = conflicts.map((found) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${found.manager}" using ${found.apiVersion}`,
    field: describePath(found.path),
  }));
  return conflict(request.resource, request.applied.metadata.name, message, causes);
}

/**
 * The object after applying `request.applied`, with its managedFields updated. Server-owned
 * metadata (uid, resourceVersion, timestamps) is carried over from the stored object.
 *
 * @throws KubeApiError Conflict when another manager owns a field whose value would change
 *   and `force` is false
 */
export function serverSideApply(request: ApplyRequest): KubeObject {
  const { existing, resource } = request;
  const key: ManagerKey = { manager: request.manager, operation: 'Apply' };
  const applied = withoutNulls(ownableContent(request.applied)) as JsonMap;
  const appliedFields = FieldSet.leavesOf(applied);
  const apiVersion = request.applied.apiVersion;
  let owners = ownershipOf(existing);

  const current = existing ? ownableContent(existing) : {};
  // Another owner's claim on `path`: a field inside it, or an atomic (non-map) field around it.
  const claims = (fields: FieldSet, path: FieldPath) =>
    fields.hasWithin(path) ||
    fields.values().some((owned) => isWithin(path, owned) && !isJsonMap(valueAt(current, owned)));
  const conflicts: FieldConflict[] = [];
  for (const path of appliedFields.values()) {
    if (!changesValue(valueAt(current, path), valueAt(applied, path))) continue;
    for (const owner of owners) {
      if (owner.key.manager === request.manager || !claims(owner.fields, path)) continue;
      const entry = existing?.metadata.managedFields?.find(
        (candidate) => candidate.manager === owner.key.manager,
      );
      conflicts.push({
        manager: owner.key.manager,
        apiVersion: entry?.apiVersion ?? apiVersion,
        path,
      });
    }
  }
  if (conflicts.length > 0) {
    if (!request.force) throw conflictError(request, conflicts);
    const taken = conflicts.map((found) => found.path);
    owners = owners.map((owner) =>
      owner.key.manager === request.manager ? owner : (releaseFields([owner], taken)[0] ?? owner),
    );
  }

  const object: KubeObject = existing
    ? cloneObject(existing)
    : {
        apiVersion,
        kind: request.applied.kind,
        metadata: {
          name: request.applied.metadata.name,
          ...(request.applied.metadata.namespace
            ? { namespace: request.applied.metadata.namespace }
            : {}),
        },
      };
  const othersOwn = (path: FieldPath) =>
    owners.some((owner) => !isSameManager(owner.key, key) && owner.fields.hasWithin(path));
  for (const path of fieldsOf(owners, key).without(appliedFields).values()) {
    // A map the manager owned as a whole (applied as {}) goes only if nothing is left in it.
    const owned = valueAt(object, path);
    const isNonEmptyMap = isJsonMap(owned) && Object.keys(owned).length > 0;
    if (!othersOwn(path) && !isNonEmptyMap) removeValueAt(object, path);
  }
  mergeInto(object, applied);
  object.apiVersion = apiVersion;

  object.metadata.managedFields = writeOwnership(
    existing?.metadata.managedFields ?? [],
    withFields(owners, key, appliedFields),
    apiVersionOf(resource),
    request.time,
  );
  return object;
}

function isSameManager(a: ManagerKey, b: ManagerKey): boolean {
  return a.manager === b.manager && a.operation === b.operation && !a.subresource;
}
