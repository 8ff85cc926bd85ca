import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
// The client's own modules, not its index (see apply.ts).
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import type { MountCheckSettings } from '../config.ts';
import { FIELD_MANAGER } from '../volume/names.ts';
import { kubernetesError } from './apply.ts';
import { createJob, deleteJob } from './job.ts';
import {
  buildRestoreListingClaim,
  buildRestoreListingJob,
  buildRestoreListingVolume,
  type RestoreListingVolumeInput,
  restoreListingName,
} from './restore-listing-job.ts';

export * from './restore-listing-job.ts';

/** Creates an object; one that exists already (a retried step made it) is the same. */
async function createIfAbsent(api: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  try {
    await api.create(object, undefined, undefined, FIELD_MANAGER);
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) return;
    throw kubernetesError(error, `create ${object.kind} ${object.metadata?.name}`);
  }
}

/** Deletes an object; gone is done. Whether it was there. */
async function deleteIfPresent(api: KubernetesObjectApi, ref: KubernetesObject): Promise<boolean> {
  try {
    await api.delete(ref);
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw kubernetesError(error, `delete ${ref.kind} ${ref.metadata?.name}`);
  }
}

/**
 * Starts the listing: its PersistentVolume, the claim bound to it and the Job that mounts
 * the claim, in that order, each created unless a retried step made it already.
 */
export async function startRestoreListing(
  api: KubernetesObjectApi,
  input: RestoreListingVolumeInput & { readonly settings: MountCheckSettings },
): Promise<void> {
  await createIfAbsent(api, buildRestoreListingVolume(input));
  await createIfAbsent(api, buildRestoreListingClaim(input));
  await createJob(api, buildRestoreListingJob(input));
}

/**
 * Deletes the listing's Job (its pod with it), claim and PersistentVolume, in that order;
 * gone is done. What was there, as `Kind/[namespace/]name`.
 */
export async function deleteRestoreListing(
  api: KubernetesObjectApi,
  volumeId: string,
  namespace: string,
): Promise<string[]> {
  const name = restoreListingName(volumeId);
  const deleted: string[] = [];
  if (await deleteJob(api, name, namespace)) deleted.push(`Job/${namespace}/${name}`);
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
  };
  if (await deleteIfPresent(api, claim)) deleted.push(`PersistentVolumeClaim/${namespace}/${name}`);
  const volume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name } };
  if (await deleteIfPresent(api, volume)) deleted.push(`PersistentVolume/${name}`);
  return deleted;
}
