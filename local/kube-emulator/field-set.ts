/**
 * Sets of field paths: what a field manager owns. A simplification of structured-merge-diff:
 * maps are walked key by key, lists and scalars are single (atomic) fields.
 */
import { isJsonMap, type JsonMap } from './objects.ts';

export type FieldPath = readonly string[];

/** The metadata fields a manager can own; the rest of metadata belongs to the server. */
const OWNABLE_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

/** The part of an object that field managers own: not identity, not status, not server metadata. */
export function ownableContent(object: JsonMap): JsonMap {
  const content: JsonMap = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status' || key === 'metadata') continue;
    if (value !== undefined && value !== null) content[key] = value;
  }
  const metadata = object.metadata;
  if (isJsonMap(metadata)) {
    const ownable: JsonMap = {};
    for (const key of OWNABLE_METADATA) {
      if (metadata[key] !== undefined && metadata[key] !== null) ownable[key] = metadata[key];
    }
    if (Object.keys(ownable).length > 0) content.metadata = ownable;
  }
  return content;
}

function encode(path: FieldPath): string {
  return JSON.stringify(path);
}

/** `.spec.resources.requests.storage`, as Status messages name fields. */
export function describePath(path: FieldPath): string {
  return path.map((key) => `.${key}`).join('');
}

/** Whether `path` is `container` or lies inside it. */
export function isWithin(path: FieldPath, container: FieldPath): boolean {
  return container.length <= path.length && container.every((key, i) => path[i] === key);
}

export class FieldSet {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const path of paths) this.paths.set(encode(path), path);
  }

  /** The leaf fields of a value: scalars, lists and empty maps. */
  static leavesOf(value: JsonMap, prefix: FieldPath = []): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, path: FieldPath): void => {
      if (node === undefined || node === null) return;
      if (isJsonMap(node) && Object.keys(node).length > 0) {
        for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
      } else if (path.length > 0) {
        set.add(path);
      }
    };
    walk(value, prefix);
    return set;
  }

  /** Reads a `fieldsV1` tree as written by {@link FieldSet.toFieldsV1}. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, path: FieldPath): void => {
      if (!isJsonMap(node)) return;
      const children = Object.keys(node).filter((key) => key.startsWith('f:'));
      if (children.length === 0) {
        if (path.length > 0) set.add(path);
        return;
      }
      for (const key of children) walk(node[key], [...path, key.slice(2)]);
    };
    walk(fields, []);
    return set;
  }

  toFieldsV1(): JsonMap {
    const root: JsonMap = {};
    for (const path of this.values()) {
      let node = root;
      for (const key of path) {
        const child = node[`f:${key}`];
        if (isJsonMap(child)) {
          node = child;
        } else {
          const created: JsonMap = {};
          node[`f:${key}`] = created;
          node = created;
        }
      }
    }
    return root;
  }

  add(path: FieldPath): void {
    this.paths.set(encode(path), path);
  }

  delete(path: FieldPath): void {
    this.paths.delete(encode(path));
  }

  has(path: FieldPath): boolean {
    return this.paths.has(encode(path));
  }

  values(): FieldPath[] {
    return [...this.paths.values()];
  }

  get size(): number {
    return this.paths.size;
  }

  /** Whether this set has `path` or a field inside it. */
  hasWithin(path: FieldPath): boolean {
    return this.values().some((owned) => isWithin(owned, path));
  }

  without(other: FieldSet): FieldSet {
    return new FieldSet(this.values().filter((path) => !other.has(path)));
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this.values(), ...other.values()]);
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && this.values().every((path) => other.has(path));
  }
}
