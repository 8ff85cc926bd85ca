import {
  ApiException,
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { KubernetesConflictError, KubernetesRequestError, TransientError } from '../errors.ts';
import {
  CREATED_BY_LABEL,
  EFS_CSI_DRIVER,
  FIELD_MANAGER,
  persistentVolumeName,
  VOLUME_ID_LABEL,
} from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';
import { buildVolumeManifests, type VolumeManifestInput } from './manifests.ts';

export interface AppliedManifests {
  readonly persistentVolumeName: string;
  readonly persistentVolumeClaim: { readonly namespace: string; readonly name: string };
  readonly storageClassName: string;
  /** This volume created the StorageClass (it did not exist). */
  readonly createdStorageClass: boolean;
  /** This volume created the CSIDriver object (it did not exist). */
  readonly createdCsiDriver: boolean;
}

/**
 * Turns a Kubernetes API failure into the step's error contract: throttling, 5xx, conflicts
 * on write and dropped connections are transient; other 4xx are final.
 */
export function kubernetesError(error: unknown, action: string): Error {
  if (error instanceof ApiException) {
    const code = error.code;
    if (code === 409 || code === 429 || code >= 500) {
      return new TransientError(`Kubernetes API answered ${code} to ${action}`, { cause: error });
    }
    return new KubernetesRequestError(
      `Kubernetes API refused ${action} (${code}): ${statusMessage(error)}`,
      code,
      { cause: error },
    );
  }
  return new TransientError(`Kubernetes API unreachable during ${action}`, { cause: error });
}

function statusMessage(error: ApiException<unknown>): string {
  const body = error.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
    } catch {
      return body.slice(0, 200);
    }
  }
  return (body as { message?: string } | undefined)?.message ?? 'no message';
}

type ObjectRef = Pick<KubernetesObject, 'apiVersion' | 'kind'> & {
  metadata: { name: string; namespace?: string };
};

/** Reads an object; undefined when it does not exist. */
async function readIfExists<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  ref: ObjectRef,
): Promise<T | undefined> {
  try {
    return (await api.read(ref as KubernetesObject & { metadata: { name: string } })) as T;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw kubernetesError(error, `read ${ref.kind} ${ref.metadata.name}`);
  }
}

async function serverSideApply<T extends KubernetesObject>(
  api: KubernetesObjectApi,
  object: T,
): Promise<T> {
  try {
    return await api.patch(
      object,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  } catch (error) {
    throw kubernetesError(error, `apply ${object.kind} ${object.metadata?.name}`);
  }
}

/** Refuses to take over an object of the same name that another volume or a person owns. */
function assertOwned(object: KubernetesObject | undefined, volumeId: string, what: string): void {
  const owner = object?.metadata?.labels?.[VOLUME_ID_LABEL];
  if (object && owner !== volumeId) {
    throw new KubernetesConflictError(
      `${what} already exists and does not belong to this volume${owner ? ` (it belongs to ${owner})` : ''}`,
    );
  }
}

/**
 * Applies the volume's manifests with server-side apply and a fixed field manager, so
 * reapplying changes nothing. The CSIDriver and the StorageClass are shared by every
 * volume of a cluster: they are created when absent and otherwise left alone (the
 * CSIDriver forever, see {@link deleteVolumeManifests}).
 *
 * @throws KubernetesConflictError when a PV or claim of that name belongs to someone else,
 *   or the StorageClass exists with another provisioner
 */
export async function applyVolumeManifests(
  api: KubernetesObjectApi,
  input: VolumeManifestInput,
): Promise<AppliedManifests> {
  const manifests = buildVolumeManifests(input);
  const { spec, volumeId } = input;

  const csiDriver = await readIfExists(api, manifests.csiDriver as ObjectRef);
  if (!csiDriver) await serverSideApply(api, manifests.csiDriver);

  const storageClass = await readIfExists<V1StorageClass>(api, manifests.storageClass as ObjectRef);
  if (storageClass && storageClass.provisioner !== EFS_CSI_DRIVER) {
    throw new KubernetesConflictError(
      `StorageClass ${spec.storageClassName} exists with provisioner ${storageClass.provisioner}, not ${EFS_CSI_DRIVER}`,
    );
  }
  if (!storageClass) await serverSideApply(api, manifests.storageClass);

  const pvName = persistentVolumeName(volumeId);
  const persistentVolume = await readIfExists<V1PersistentVolume>(
    api,
    manifests.persistentVolume as ObjectRef,
  );
  assertOwned(persistentVolume, volumeId, `PersistentVolume ${pvName}`);
  const claim = await readIfExists<V1PersistentVolumeClaim>(
    api,
    manifests.persistentVolumeClaim as ObjectRef,
  );
  assertOwned(claim, volumeId, `PersistentVolumeClaim ${spec.namespace}/${spec.name}`);
  if (persistentVolume) await releaseForClaim(api, persistentVolume, claim);
  await serverSideApply(api, manifests.persistentVolume);
  await serverSideApply(api, manifests.persistentVolumeClaim);
  return {
    persistentVolumeName: pvName,
    persistentVolumeClaim: { namespace: spec.namespace, name: spec.name },
    storageClassName: spec.storageClassName,
    createdStorageClass: !storageClass,
    createdCsiDriver: !csiDriver,
  };
}

/**
 * A PersistentVolume of ours still reserved for a claim that was deleted (its claimRef names
 * the old claim's uid, so the volume stays Released and no new claim binds it): forgets that
 * uid, so the claim applied next, of the same name, binds it again. The data is on EFS; the
 * PersistentVolume only points at it. Server-side apply cannot drop the uid (the binder owns
 * that field), so a merge patch does, as `kubectl patch` would.
 */
async function releaseForClaim(
  api: KubernetesObjectApi,
  persistentVolume: V1PersistentVolume,
  claim: V1PersistentVolumeClaim | undefined,
): Promise<void> {
  const uid = persistentVolume.spec?.claimRef?.uid;
  if (uid === undefined || uid === claim?.metadata?.uid) return;
  const name = persistentVolume.metadata?.name ?? '';
  try {
    await api.patch(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: { claimRef: { uid: null, resourceVersion: null } },
      } as unknown as KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    );
  } catch (error) {
    throw kubernetesError(error, `release PersistentVolume ${name} for a new claim`);
  }
}

/** The claim's phase (`Pending`, `Bound`, `Lost`), or `Missing`. */
export async function claimPhase(
  api: KubernetesObjectApi,
  namespace: string,
  name: string,
): Promise<string> {
  const claim = await readIfExists<V1PersistentVolumeClaim>(api, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
  });
  return claim ? (claim.status?.phase ?? 'Pending') : 'Missing';
}

async function deleteIfExists(api: KubernetesObjectApi, ref: ObjectRef): Promise<boolean> {
  try {
    await api.delete(ref as KubernetesObject);
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw kubernetesError(error, `delete ${ref.kind} ${ref.metadata.name}`);
  }
}

async function listPersistentVolumes(api: KubernetesObjectApi): Promise<V1PersistentVolume[]> {
  try {
    return (await api.list<V1PersistentVolume>('v1', 'PersistentVolume')).items;
  } catch (error) {
    throw kubernetesError(error, 'list PersistentVolumes');
  }
}

/**
 * Deletes what this volume applied: the claim and the PV when they carry its label, then the
 * StorageClass if this volume created it and no other PV still uses it. Gone is done.
 * Returns what was deleted, as `Kind/name`.
 *
 * The `efs.csi.aws.com` CSIDriver is never deleted, whoever created it: it is cluster
 * infrastructure that every EFS mount in the cluster (other volumes, the driver's Helm chart
 * or EKS add-on) relies on, and deleting it while another volume's apply has just seen it
 * present would break that volume's mounts (`driver name efs.csi.aws.com not found`).
 */
export async function deleteVolumeManifests(
  api: KubernetesObjectApi,
  volumeId: string,
  spec: VolumeSpec,
): Promise<string[]> {
  const deleted: string[] = [];
  const claimRef: ObjectRef = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: spec.name, namespace: spec.namespace },
  };
  const claim = await readIfExists(api, claimRef);
  if (
    claim?.metadata?.labels?.[VOLUME_ID_LABEL] === volumeId &&
    (await deleteIfExists(api, claimRef))
  ) {
    deleted.push(`PersistentVolumeClaim/${spec.namespace}/${spec.name}`);
  }
  const pvRef: ObjectRef = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: persistentVolumeName(volumeId) },
  };
  const pv = await readIfExists(api, pvRef);
  if (pv?.metadata?.labels?.[VOLUME_ID_LABEL] === volumeId && (await deleteIfExists(api, pvRef))) {
    deleted.push(`PersistentVolume/${pvRef.metadata.name}`);
  }

  const others = (await listPersistentVolumes(api)).filter(
    (volume) => volume.metadata?.labels?.[VOLUME_ID_LABEL] !== volumeId,
  );
  const scRef: ObjectRef = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: spec.storageClassName },
  };
  const storageClass = await readIfExists(api, scRef);
  const scInUse = others.some((volume) => volume.spec?.storageClassName === spec.storageClassName);
  if (storageClass?.metadata?.labels?.[CREATED_BY_LABEL] === volumeId && !scInUse) {
    if (await deleteIfExists(api, scRef)) deleted.push(`StorageClass/${spec.storageClassName}`);
  }
  return deleted;
}
