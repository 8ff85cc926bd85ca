import type {
  KubernetesObject,
  KubernetesObjectApi,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
// The client's own modules, not its index: the index also loads exec, attach, port-forward
// (ws), cp (tar-stream), watch, log, metrics… which no step uses (functions/lib/kube/client.ts).
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import { KubernetesConflictError, KubernetesRequestError, TransientError } from '../errors.ts';
import {
  CREATED_BY_LABEL,
  EFS_CSI_DRIVER,
  FIELD_MANAGER,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  persistentVolumeName,
  VOLUME_ID_LABEL,
} from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';
import {
  buildSecurityGroupPolicy,
  buildStorageClass,
  buildVolumeManifests,
  type SecurityGroupPolicyInput,
  type VolumeManifestInput,
} from './manifests.ts';

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
  // Another volume's DeleteManifests may have deleted the class between our read and our PV
  // (it listed the PVs before ours existed). Read again now that the PV exists: either that
  // delete sees our PV when it checks again, or we see the class gone here and put it back.
  if (!(await readIfExists(api, manifests.storageClass as ObjectRef))) {
    await serverSideApply(api, manifests.storageClass);
  }
  return {
    persistentVolumeName: pvName,
    persistentVolumeClaim: { namespace: spec.namespace, name: spec.name },
    storageClassName: spec.storageClassName,
    createdStorageClass: !storageClass,
    createdCsiDriver: !csiDriver,
  };
}

/**
 * Applies the namespace's SecurityGroupPolicy (namespace network isolation) with server-side
 * apply: every volume of the namespace applies the same object, so reapplying changes nothing.
 * Returns `SecurityGroupPolicy/<namespace>/<name>`.
 *
 * @throws KubernetesRequestError (404) where the cluster does not serve the kind: the VPC
 *   resource controller's CRD is part of every EKS cluster
 */
export async function applySecurityGroupPolicy(
  api: KubernetesObjectApi,
  input: SecurityGroupPolicyInput,
): Promise<string> {
  const policy = buildSecurityGroupPolicy(input);
  await serverSideApply(api, policy as unknown as KubernetesObject);
  return `SecurityGroupPolicy/${policy.metadata.namespace}/${policy.metadata.name}`;
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

/** The PVs of a StorageClass, other than this volume's. */
async function otherVolumesOfClass(
  api: KubernetesObjectApi,
  volumeId: string,
  storageClassName: string,
): Promise<V1PersistentVolume[]> {
  return (await listPersistentVolumes(api)).filter(
    (volume) =>
      volume.metadata?.labels?.[VOLUME_ID_LABEL] !== volumeId &&
      volume.spec?.storageClassName === storageClassName,
  );
}

/** Whether this service created the StorageClass (any of its volumes, not a person or a chart). */
function createdByService(storageClass: V1StorageClass | undefined): boolean {
  const labels = storageClass?.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY && labels[CREATED_BY_LABEL] !== undefined;
}

/**
 * Deletes the StorageClass only as the version just read (`preconditions.resourceVersion`):
 * a class changed meanwhile is someone's new decision, left alone. False when not deleted.
 */
async function deleteStorageClassAsRead(
  api: KubernetesObjectApi,
  storageClass: V1StorageClass,
): Promise<boolean> {
  const ref = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: storageClass.metadata?.name ?? '' },
  };
  const resourceVersion = storageClass.metadata?.resourceVersion;
  try {
    await api.delete(ref, undefined, undefined, undefined, undefined, undefined, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(resourceVersion ? { preconditions: { resourceVersion } } : {}),
    });
    return true;
  } catch (error) {
    // 404: already gone; 409: changed since we read it. Either way not ours to delete now.
    if (error instanceof ApiException && (error.code === 404 || error.code === 409)) return false;
    throw kubernetesError(error, `delete StorageClass ${ref.metadata.name}`);
  }
}

/**
 * Deletes a StorageClass the service created once no PV of that class remains, safe against
 * a concurrent ApplyManifests of another volume of the same class. Kubernetes offers no
 * "delete if no PV names it", so both sides check after they write: ApplyManifests reads the
 * class again after its PV exists (and puts it back if gone), and this lists the PVs again
 * after the delete and puts the class back, owned by a volume still using it, if one appeared.
 * Whichever write comes second, one of the two checks sees it: the PV that remains always
 * keeps its StorageClass. Returns whether the class is gone.
 */
async function deleteStorageClassIfUnused(
  api: KubernetesObjectApi,
  volumeId: string,
  storageClassName: string,
): Promise<boolean> {
  const storageClass = await readIfExists<V1StorageClass>(api, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: storageClassName },
  });
  if (!storageClass || !createdByService(storageClass)) return false;
  if ((await otherVolumesOfClass(api, volumeId, storageClassName)).length > 0) return false;
  if (!(await deleteStorageClassAsRead(api, storageClass))) return false;
  const [remaining] = await otherVolumesOfClass(api, volumeId, storageClassName);
  if (!remaining) return true;
  // A volume applied its PV meanwhile: the class is its now (its own delete may remove it).
  const owner = remaining.metadata?.labels?.[VOLUME_ID_LABEL] ?? volumeId;
  await serverSideApply(api, buildStorageClass(storageClassName, owner));
  return false;
}

/**
 * Deletes what this volume applied: the claim and the PV when they carry its label, then the
 * StorageClass if this service created it and no PV of that class remains, decided safely
 * under concurrency ({@link deleteStorageClassIfUnused}). Gone is done.
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

  if (await deleteStorageClassIfUnused(api, volumeId, spec.storageClassName)) {
    deleted.push(`StorageClass/${spec.storageClassName}`);
  }
  return deleted;
}
