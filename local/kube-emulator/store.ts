/**
 * The object store, in the role etcd plays: keyed objects and one global revision that becomes
 * every write's `resourceVersion`. Objects are copied in and out so no caller holds stored state;
 * the emulator's own controllers read them in place (`view`, `listView`), frozen, as the
 * controllers of a real cluster read an informer's cache without copying it.
 */
import { cloneObject, freezeObject, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';

function storageKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  return `${resource.group}/${resource.plural}/${resource.namespaced ? (namespace ?? '') : ''}/${name}`;
}

export class ObjectStore {
  private revision = 0;
  private readonly objects = new Map<string, { resource: ResourceType; object: KubeObject }>();

  /** The current revision, as a list's `metadata.resourceVersion`. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.view(resource, namespace, name);
    return found ? cloneObject(found) : undefined;
  }

  /** The stored object itself, frozen (a change throws): to read, never to keep or change. */
  view(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Readonly<KubeObject> | undefined {
    return this.objects.get(storageKey(resource, namespace, name))?.object;
  }

  /** Objects of one type, in one namespace or all, in key order as etcd lists them. */
  list(resource: ResourceType, namespace?: string): KubeObject[] {
    return this.listView(resource, namespace).map((object) => cloneObject(object));
  }

  /** `list` without the copies: the stored objects, frozen (see `view`). */
  listView(resource: ResourceType, namespace?: string): Readonly<KubeObject>[] {
    return [...this.objects.values()]
      .filter(
        (entry) =>
          entry.resource === resource &&
          (namespace === undefined || entry.object.metadata.namespace === namespace),
      )
      .map((entry) => entry.object)
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
  }

  /** Every stored object. */
  all(): KubeObject[] {
    return [...this.objects.values()].map((entry) => cloneObject(entry.object));
  }

  /** Stores `object` under the next revision and returns what was stored. */
  put(resource: ResourceType, object: KubeObject): KubeObject {
    this.revision += 1;
    const stored = cloneObject(object);
    stored.metadata.resourceVersion = String(this.revision);
    this.objects.set(storageKey(resource, stored.metadata.namespace, stored.metadata.name), {
      resource,
      object: freezeObject(stored),
    });
    return cloneObject(stored);
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): boolean {
    const removed = this.objects.delete(storageKey(resource, namespace, name));
    if (removed) this.revision += 1;
    return removed;
  }
}
