/**
 * The shape of stored Kubernetes objects as plain JSON, and the small tree operations (clone,
 * compare, walk a path) every other part of the emulator needs.
 */

/** One `metadata.managedFields` entry, as the API server writes it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

/** A stored object: JSON as served, with typed metadata. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type JsonMap = Record<string, unknown>;

export function isJsonMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function cloneObject<T>(value: T): T {
  return structuredClone(value);
}

/** Freezes a JSON value and everything in it: a change then throws (modules are strict). */
export function freezeObject<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeObject(child);
    Object.freeze(value);
  }
  return value;
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonMap(a) && isJsonMap(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => jsonEqual(a[key], b[key]));
  }
  return false;
}

/** The value at `path`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const key of path) {
    if (!isJsonMap(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The map at `path`, or undefined when it is absent or not a map. */
export function mapAt(root: unknown, path: readonly string[]): JsonMap | undefined {
  const value = valueAt(root, path);
  return isJsonMap(value) ? value : undefined;
}

export function stringAt(root: unknown, path: readonly string[]): string | undefined {
  const value = valueAt(root, path);
  return typeof value === 'string' ? value : undefined;
}

export function stringListAt(root: unknown, path: readonly string[]): string[] {
  const value = valueAt(root, path);
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

/** Removes the field at `path` and then any map on the way that it left empty. */
export function removeValueAt(root: JsonMap, path: readonly string[]): void {
  const parents: JsonMap[] = [root];
  for (const key of path.slice(0, -1)) {
    const next = parents.at(-1)?.[key];
    if (!isJsonMap(next)) return;
    parents.push(next);
  }
  const last = path.at(-1);
  if (last === undefined) return;
  delete parents.at(-1)?.[last];
  for (let depth = parents.length - 1; depth > 0; depth -= 1) {
    const map = parents[depth];
    const key = path[depth - 1];
    if (!map || key === undefined || Object.keys(map).length > 0) break;
    delete parents[depth - 1]?.[key];
  }
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function kubeTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether the object is being deleted and waits for finalizers. */
export function isTerminating(object: KubeObject): boolean {
  return typeof object.metadata.deletionTimestamp === 'string';
}
