/**
 * `metadata.managedFields`: who owns which fields, read as {@link FieldSet}s and written back
 * one entry per manager, operation and subresource, as the API server keeps them.
 */
import { type FieldPath, FieldSet, isWithin, ownableContent } from './field-set.ts';
import { jsonEqual, type KubeObject, type ManagedFieldsEntry, valueAt } from './objects.ts';

export interface ManagerKey {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly subresource?: string;
}

export interface Ownership {
  readonly key: ManagerKey;
  readonly fields: FieldSet;
}

function sameKey(a: ManagerKey, b: ManagerKey): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? '') === (b.subresource ?? '')
  );
}

export function ownershipOf(object: KubeObject | undefined): Ownership[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    key: {
      manager: entry.manager,
      operation: entry.operation,
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    },
    fields: FieldSet.fromFieldsV1(entry.fieldsV1),
  }));
}

export function fieldsOf(owners: readonly Ownership[], key: ManagerKey): FieldSet {
  return owners.find((owner) => sameKey(owner.key, key))?.fields ?? new FieldSet();
}

function toEntry(owner: Ownership, apiVersion: string, time: string): ManagedFieldsEntry {
  return {
    manager: owner.key.manager,
    operation: owner.key.operation,
    apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: owner.fields.toFieldsV1(),
    ...(owner.key.subresource ? { subresource: owner.key.subresource } : {}),
  };
}

/**
 * Writes `owners` back as entries: empty sets are dropped; an entry keeps its time unless
 * its fields changed.
 */
export function writeOwnership(
  previous: readonly ManagedFieldsEntry[],
  owners: readonly Ownership[],
  apiVersion: string,
  time: string,
): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const owner of owners) {
    if (owner.fields.size === 0) continue;
    const before = previous.find((entry) => sameKey(entry, owner.key));
    const unchanged = before && FieldSet.fromFieldsV1(before.fieldsV1).equals(owner.fields);
    entries.push(toEntry(owner, before?.apiVersion ?? apiVersion, unchanged ? before.time : time));
  }
  return entries;
}

/** Replaces (or adds) the set owned by `key`. */
export function withFields(
  owners: readonly Ownership[],
  key: ManagerKey,
  fields: FieldSet,
): Ownership[] {
  const index = owners.findIndex((owner) => sameKey(owner.key, key));
  const replaced = { key, fields };
  if (index === -1) return [...owners, replaced];
  return owners.map((owner, i) => (i === index ? replaced : owner));
}

/** Every owner loses `paths` and whatever lies inside them. */
export function releaseFields(
  owners: readonly Ownership[],
  paths: readonly FieldPath[],
): Ownership[] {
  return owners.map((owner) => ({
    key: owner.key,
    fields: new FieldSet(
      owner.fields.values().filter((owned) => !paths.some((path) => isWithin(owned, path))),
    ),
  }));
}

/** The leaf fields that differ between two objects (set, changed or removed). */
function changedFields(
  before: KubeObject | undefined,
  after: KubeObject,
): { changed: FieldPath[]; removed: FieldPath[] } {
  const afterContent = ownableContent(after);
  const beforeContent = before ? ownableContent(before) : {};
  const changed = FieldSet.leavesOf(afterContent)
    .values()
    .filter((path) => !jsonEqual(valueAt(beforeContent, path), valueAt(afterContent, path)));
  const removed = FieldSet.leavesOf(beforeContent)
    .values()
    .filter((path) => valueAt(afterContent, path) === undefined);
  return { changed, removed };
}

/**
 * The managed fields after a non-apply write (create, update, merge patch, a controller):
 * the writer takes the fields it changed, nobody keeps fields that are gone.
 */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  key: ManagerKey,
  apiVersion: string,
  time: string,
): ManagedFieldsEntry[] {
  const { changed, removed } = changedFields(before, after);
  const owners = releaseFields(ownershipOf(before), [...changed, ...removed]);
  const mine = fieldsOf(owners, key).union(new FieldSet(changed));
  return writeOwnership(
    before?.metadata.managedFields ?? [],
    withFields(owners, key, mine),
    apiVersion,
    time,
  );
}
