/**
 * What the in-process controllers (volume binding, finalizers) see of the cluster: read, write
 * as the controller manager, delete. They run synchronously after every write.
 */
import type { KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';

export interface ClusterAccess {
  readonly now: () => Date;
  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: ResourceType, namespace?: string): KubeObject[];
  /** Stores `next` unless it equals what is stored; no validation, as a controller's own write. */
  update(resource: ResourceType, next: KubeObject): void;
  /** Stores a new object as the controller manager (a Job's pod, an event); no validation. */
  create(resource: ResourceType, object: KubeObject): void;
  /** Deletes as a client would: objects with finalizers become terminating. */
  delete(resource: ResourceType, namespace: string | undefined, name: string): void;
}

/** One pass of a controller over the cluster; passes repeat until nothing changes. */
export type Controller = (cluster: ClusterAccess) => void;

/** The field manager controllers write as. */
export const CONTROLLER_MANAGER = 'kube-controller-manager';
