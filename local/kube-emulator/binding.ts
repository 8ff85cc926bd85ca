/**
 * The PersistentVolume controller's binding loop: claims bind to matching volumes (the named
 * one, or any matching Available one), phases follow, and a volume whose claim is gone is
 * released or deleted by its reclaim policy.
 */
import type { ClusterAccess, Controller } from './controller.ts';
import {
  isJsonMap,
  isTerminating,
  type JsonMap,
  jsonEqual,
  type KubeObject,
  kubeTimestamp,
  mapAt,
  stringAt,
  stringListAt,
  valueAt,
} from './objects.ts';
import { parseQuantity } from './quantity.ts';
import {
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  STORAGE_CLASSES,
} from './resources.ts';

const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

interface ClaimRef {
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
}

function claimRefOf(volume: KubeObject): ClaimRef | undefined {
  const ref = mapAt(volume, ['spec', 'claimRef']);
  if (!ref) return undefined;
  return {
    ...(typeof ref.namespace === 'string' ? { namespace: ref.namespace } : {}),
    ...(typeof ref.name === 'string' ? { name: ref.name } : {}),
    ...(typeof ref.uid === 'string' ? { uid: ref.uid } : {}),
  };
}

/** Whether the volume's claimRef names this claim (by uid when the ref has one). */
function refersTo(ref: ClaimRef | undefined, claim: KubeObject): boolean {
  return (
    ref !== undefined &&
    ref.name === claim.metadata.name &&
    (ref.namespace ?? 'default') === claim.metadata.namespace &&
    (ref.uid === undefined || ref.uid === claim.metadata.uid)
  );
}

function labelsMatch(claim: KubeObject, volume: KubeObject): boolean {
  const wanted = mapAt(claim, ['spec', 'selector', 'matchLabels']) ?? {};
  const labels = volume.metadata.labels ?? {};
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

/** Class, volume mode, access modes (a subset), capacity (at least the request) and selector. */
function volumeMatchesClaim(volume: KubeObject, claim: KubeObject): boolean {
  const className = (object: KubeObject) => stringAt(object, ['spec', 'storageClassName']) ?? '';
  const volumeMode = (object: KubeObject) =>
    stringAt(object, ['spec', 'volumeMode']) ?? 'Filesystem';
  const offered = stringListAt(volume, ['spec', 'accessModes']);
  const capacity = parseQuantity(valueAt(volume, ['spec', 'capacity', 'storage']));
  const request = parseQuantity(valueAt(claim, ['spec', 'resources', 'requests', 'storage']));
  return (
    !isTerminating(volume) &&
    className(volume) === className(claim) &&
    volumeMode(volume) === volumeMode(claim) &&
    stringListAt(claim, ['spec', 'accessModes']).every((mode) => offered.includes(mode)) &&
    capacity !== undefined &&
    request !== undefined &&
    capacity >= request &&
    labelsMatch(claim, volume)
  );
}

/** A copy with `status.phase` set, stamping the transition time when the phase changes. */
function withPhase(object: KubeObject, phase: string, now: Date, extra: JsonMap = {}): KubeObject {
  const status = isJsonMap(object.status) ? object.status : {};
  const changed = status.phase !== phase;
  return {
    ...object,
    status: {
      ...status,
      ...extra,
      phase,
      ...(changed && object.kind === 'PersistentVolume'
        ? { lastPhaseTransitionTime: kubeTimestamp(now) }
        : {}),
    },
  };
}

function setPhase(
  cluster: ClusterAccess,
  object: KubeObject,
  phase: string,
  extra: JsonMap = {},
): void {
  const resource =
    object.kind === 'PersistentVolume' ? PERSISTENT_VOLUMES : PERSISTENT_VOLUME_CLAIMS;
  const next = withPhase(object, phase, cluster.now(), extra);
  if (!jsonEqual(next.status, object.status)) cluster.update(resource, next);
}

function bind(
  cluster: ClusterAccess,
  volume: KubeObject,
  claim: KubeObject,
  chosenByController: boolean,
): void {
  const spec = isJsonMap(volume.spec) ? volume.spec : {};
  cluster.update(
    PERSISTENT_VOLUMES,
    withPhase(
      {
        ...volume,
        spec: {
          ...spec,
          claimRef: {
            ...(isJsonMap(spec.claimRef) ? spec.claimRef : {}),
            kind: 'PersistentVolumeClaim',
            namespace: claim.metadata.namespace,
            name: claim.metadata.name,
            uid: claim.metadata.uid,
            apiVersion: 'v1',
            resourceVersion: claim.metadata.resourceVersion,
          },
        },
      },
      'Bound',
      cluster.now(),
    ),
  );
  const claimSpec = isJsonMap(claim.spec) ? claim.spec : {};
  cluster.update(
    PERSISTENT_VOLUME_CLAIMS,
    withPhase(
      {
        ...claim,
        metadata: {
          ...claim.metadata,
          annotations: {
            ...claim.metadata.annotations,
            [BIND_COMPLETED]: 'yes',
            ...(chosenByController ? { [BOUND_BY_CONTROLLER]: 'yes' } : {}),
          },
        },
        spec: { ...claimSpec, volumeName: volume.metadata.name },
      },
      'Bound',
      cluster.now(),
      {
        accessModes: valueAt(volume, ['spec', 'accessModes']),
        capacity: valueAt(volume, ['spec', 'capacity']),
      },
    ),
  );
}

/** With WaitForFirstConsumer, a claim without a volume waits for a pod that uses it. */
function waitsForConsumer(cluster: ClusterAccess, claim: KubeObject): boolean {
  const className = stringAt(claim, ['spec', 'storageClassName']);
  const storageClass = className ? cluster.get(STORAGE_CLASSES, undefined, className) : undefined;
  if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') return false;
  return !cluster
    .list(PODS, claim.metadata.namespace)
    .some((pod) => claimsUsedBy(pod).includes(claim.metadata.name));
}

/** The names of the claims a pod's volumes use. */
export function claimsUsedBy(pod: KubeObject): string[] {
  const volumes = valueAt(pod, ['spec', 'volumes']);
  if (!Array.isArray(volumes)) return [];
  return volumes
    .map((volume) => stringAt(volume, ['persistentVolumeClaim', 'claimName']))
    .filter((name) => name !== undefined);
}

function syncClaim(cluster: ClusterAccess, claim: KubeObject): void {
  const volumeName = stringAt(claim, ['spec', 'volumeName']);
  const wasBound = valueAt(claim, ['status', 'phase']) === 'Bound';
  if (volumeName) {
    const volume = cluster.get(PERSISTENT_VOLUMES, undefined, volumeName);
    const ref = volume ? claimRefOf(volume) : undefined;
    if (!volume || (ref && !refersTo(ref, claim))) {
      setPhase(cluster, claim, wasBound ? 'Lost' : 'Pending');
    } else if (ref?.uid !== claim.metadata.uid || !wasBound) {
      if (volumeMatchesClaim(volume, claim)) bind(cluster, volume, claim, false);
      else setPhase(cluster, claim, 'Pending');
    }
    return;
  }
  if (isTerminating(claim) || waitsForConsumer(cluster, claim)) return;
  const volumes = cluster.list(PERSISTENT_VOLUMES);
  const preBound = volumes.find(
    (volume) => refersTo(claimRefOf(volume), claim) && volumeMatchesClaim(volume, claim),
  );
  const capacity = (volume: KubeObject) =>
    parseQuantity(valueAt(volume, ['spec', 'capacity', 'storage'])) ?? 0;
  const available = volumes
    .filter((volume) => !claimRefOf(volume) && volumeMatchesClaim(volume, claim))
    .sort((a, b) => capacity(a) - capacity(b));
  const chosen = preBound ?? available[0];
  if (chosen) bind(cluster, chosen, claim, preBound === undefined);
}

function syncVolume(cluster: ClusterAccess, volume: KubeObject): void {
  const ref = claimRefOf(volume);
  if (!ref) {
    setPhase(cluster, volume, 'Available');
    return;
  }
  const claim =
    ref.name === undefined
      ? undefined
      : cluster.get(PERSISTENT_VOLUME_CLAIMS, ref.namespace ?? 'default', ref.name);
  if (ref.uid === undefined) {
    // Pre-bound by the user; the claim side binds it when the claim exists.
    setPhase(cluster, volume, 'Available');
    return;
  }
  if (claim && claim.metadata.uid === ref.uid) {
    setPhase(cluster, volume, 'Bound');
    return;
  }
  // The claim is gone: release the volume, and delete it when its policy says so.
  const phase = valueAt(volume, ['status', 'phase']);
  if (phase !== 'Released' && phase !== 'Failed') setPhase(cluster, volume, 'Released');
  const policy = valueAt(volume, ['spec', 'persistentVolumeReclaimPolicy']);
  if (policy === 'Delete' && !isTerminating(volume)) {
    cluster.delete(PERSISTENT_VOLUMES, undefined, volume.metadata.name);
  }
}

/** Binds claims to volumes and moves both through their phases. */
export const reconcileVolumeBinding: Controller = (cluster) => {
  for (const claim of cluster.list(PERSISTENT_VOLUME_CLAIMS)) {
    // Re-read: an earlier bind in this pass may have changed the claim.
    const current = cluster.get(
      PERSISTENT_VOLUME_CLAIMS,
      claim.metadata.namespace,
      claim.metadata.name,
    );
    if (current) syncClaim(cluster, current);
  }
  for (const volume of cluster.list(PERSISTENT_VOLUMES)) {
    const current = cluster.get(PERSISTENT_VOLUMES, undefined, volume.metadata.name);
    if (current) syncVolume(cluster, current);
  }
};
