import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AccessPointDescription, EFSClient } from '@aws-sdk/client-efs';
import type { EKSClient } from '@aws-sdk/client-eks';
import { type ClusterDescription, describeCluster } from '../aws/cluster.ts';
import { eachAccessPoint } from '../aws/efs-listing.ts';
import { namespaceZones } from '../aws/fargate-preflight.ts';
import { describeFileSystem } from '../aws/file-system.ts';
import { describeFileSystemPolicy, expectedFileSystemPolicy } from '../aws/file-system-policy.ts';
import { listMountTargets } from '../aws/mount-targets.ts';
import { stackName } from '../aws/tags.ts';
import { errorName } from '../aws/transient.ts';
import { ClusterNotActiveError, ClusterNotFoundError } from '../errors.ts';
import type { ClusterEndpoint } from '../kube/client.ts';
import { volumeHandle } from '../kube/manifests.ts';
import { persistentVolumeName } from '../volume/names.ts';
import type { VolumeRecord } from '../volume/record.ts';

/** One way a READY volume no longer is what the service built. */
export interface HealthFinding {
  resource:
    | 'FileSystem'
    | 'FileSystemPolicy'
    | 'MountTarget'
    | 'AccessPoint'
    | 'PersistentVolume'
    | 'PersistentVolumeClaim'
    | 'Cluster';
  /** The resource's id or name (a zone for a missing mount target). */
  id: string;
  problem: string;
  /** Whether a repair can put it back as it was without losing data. */
  repairable: boolean;
}

/** The outcome of one health check of a volume (openapi.yaml `VolumeHealth`). */
export interface VolumeHealth {
  state: 'HEALTHY' | 'DRIFTED';
  checkedAt: string;
  findings: HealthFinding[];
}

/** The few reads of the Kubernetes API the check makes (functions/lib/kube/read-client.ts). */
export interface HealthKubernetesReader {
  readObject<T>(path: string): Promise<T | undefined>;
}

/** What a health check reads with: the clients of the API functions, nothing that writes. */
export interface HealthCheckDependencies {
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly efs: EFSClient;
  /** A reader of the cluster's API with the service's reader identity. */
  readonly kubernetes: (cluster: ClusterEndpoint) => Promise<HealthKubernetesReader>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** As much of a PersistentVolume as the check reads. */
interface PersistentVolumeObject {
  spec?: {
    csi?: { volumeHandle?: string };
    claimRef?: { namespace?: string; name?: string };
  };
  status?: { phase?: string };
}

/** As much of a PersistentVolumeClaim as the check reads. */
interface PersistentVolumeClaimObject {
  spec?: { volumeName?: string };
  status?: { phase?: string };
}

/**
 * Checks that a READY volume is still what provisioning built: the file system present and
 * `available`, an `available` mount target in every zone the namespace's pods may run in, the
 * access point present, the PersistentVolume and claim present, Bound to each other, the
 * volume carrying the handle of the recorded file system and access point.
 *
 * A finding is a fact about the volume; a check that cannot look (throttling, the cluster's
 * API unreachable or refusing the service) throws instead, so an outage never reads as drift.
 *
 * @throws TransientError, KubernetesRequestError and AWS SDK errors when it cannot look
 */
export async function checkVolumeHealth(
  deps: HealthCheckDependencies,
  record: VolumeRecord,
): Promise<VolumeHealth> {
  const now = deps.now ?? (() => new Date());
  const findings: HealthFinding[] = [];
  const cluster = await clusterOrFinding(deps, record, findings);
  const fileSystemId = record.resources.fileSystemId;
  const accessPointId = record.resources.accessPointId;
  if (fileSystemId && (await checkFileSystem(deps, fileSystemId, findings))) {
    await checkFileSystemPolicy(deps, record, fileSystemId, findings);
    if (cluster) await checkMountTargets(deps, record, cluster, fileSystemId, findings);
    if (accessPointId) await checkAccessPoint(deps, record, fileSystemId, accessPointId, findings);
  }
  if (cluster && fileSystemId && accessPointId) {
    const reader = await deps.kubernetes(cluster);
    await checkKubernetesObjects(
      reader,
      record,
      volumeHandle(fileSystemId, accessPointId),
      findings,
    );
  }
  return {
    state: findings.length === 0 ? 'HEALTHY' : 'DRIFTED',
    checkedAt: now().toISOString(),
    findings,
  };
}

/** What EFS meters of a file system: its size and when it measured it. */
export interface MeteredSize {
  readonly meteredBytes: number;
  readonly measuredAt: string;
}

/**
 * The metered size of the file system a volume owns (EFS's `SizeInBytes`), or undefined for a
 * volume on a shared file system (the size is not its own) or one EFS does not describe.
 */
export async function ownFileSystemSize(
  efs: EFSClient,
  record: VolumeRecord,
  now: () => Date = () => new Date(),
): Promise<MeteredSize | undefined> {
  const fileSystemId = record.resources.fileSystemId;
  if (!fileSystemId || record.spec.fileSystemId !== undefined) return undefined;
  const size = (await describeFileSystem(efs, fileSystemId))?.SizeInBytes;
  if (size?.Value === undefined) return undefined;
  return {
    meteredBytes: size.Value,
    measuredAt: (size.Timestamp ?? now()).toISOString(),
  };
}

/** The cluster, or a finding when it is gone, DELETING or FAILED (its objects cannot be read). */
async function clusterOrFinding(
  deps: HealthCheckDependencies,
  record: VolumeRecord,
  findings: HealthFinding[],
): Promise<ClusterDescription | undefined> {
  try {
    return await describeCluster(deps.eks, record.clusterName);
  } catch (error) {
    if (error instanceof ClusterNotFoundError) {
      findings.push({
        resource: 'Cluster',
        id: record.clusterName,
        problem: `EKS cluster ${record.clusterName} no longer exists: the PersistentVolume and claim went with it`,
        repairable: false,
      });
      return undefined;
    }
    if (error instanceof ClusterNotActiveError) {
      findings.push({
        resource: 'Cluster',
        id: record.clusterName,
        problem: `EKS cluster ${record.clusterName} is ${error.clusterStatus}: its Kubernetes objects cannot be checked`,
        repairable: false,
      });
      return undefined;
    }
    throw error;
  }
}

/** Whether the file system is there; a finding when it is not, or is not `available`. */
async function checkFileSystem(
  deps: HealthCheckDependencies,
  fileSystemId: string,
  findings: HealthFinding[],
): Promise<boolean> {
  const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
  const state = fileSystem?.LifeCycleState;
  if (!fileSystem || state === 'deleting' || state === 'deleted') {
    findings.push({
      resource: 'FileSystem',
      id: fileSystemId,
      problem: `file system ${fileSystemId} ${fileSystem ? `is ${state}` : 'no longer exists'}: its data is gone`,
      repairable: false,
    });
    // Its mount targets and access points go with it: one finding says it all.
    return false;
  }
  if (state !== 'available') {
    findings.push({
      resource: 'FileSystem',
      id: fileSystemId,
      problem: `file system ${fileSystemId} is ${state}, not available`,
      repairable: false,
    });
  }
  return true;
}

/** A JSON value with every object's keys in order, so two documents compare by meaning. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}

/**
 * The file system policy of a file system this stack created: present and as the service
 * writes it (file-system-policy.ts). Without it, any pod that reaches a mount target mounts
 * the file system's root, as root. Repair puts it back (CreateMountTargets writes it).
 */
async function checkFileSystemPolicy(
  deps: HealthCheckDependencies,
  record: VolumeRecord,
  fileSystemId: string,
  findings: HealthFinding[],
): Promise<void> {
  const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
  if (!fileSystem) return;
  const expected = await expectedFileSystemPolicy(deps.efs, fileSystem, stackName());
  if (!expected) return;
  const actual = await describeFileSystemPolicy(deps.efs, fileSystemId);
  let same = false;
  try {
    same =
      actual !== undefined &&
      JSON.stringify(canonical(JSON.parse(actual))) === JSON.stringify(canonical(expected));
  } catch {
    same = false;
  }
  if (same) return;
  // Repair's CreateMountTargets step puts the policy, on a file system the volume created; a
  // shared volume of this stack's file system is repaired through the same step.
  findings.push({
    resource: 'FileSystemPolicy',
    id: fileSystemId,
    problem: actual
      ? `the policy of file system ${fileSystemId} is not the service's access-point-only policy: clients may mount more than the volumes' access points, or fewer`
      : `file system ${fileSystemId} has no file system policy: any client that reaches a mount target can mount its root`,
    repairable: record.spec.fileSystemId === undefined,
  });
}

/**
 * An `available` mount target in every zone the namespace's pods may run in. A zone where the
 * cluster has no subnet (only a Fargate profile) cannot be given one by this service.
 */
async function checkMountTargets(
  deps: HealthCheckDependencies,
  record: VolumeRecord,
  cluster: ClusterDescription,
  fileSystemId: string,
  findings: HealthFinding[],
): Promise<void> {
  const zones = await namespaceZones(deps, cluster, record.namespace);
  const targets = await listMountTargets(deps.efs, fileSystemId);
  const present = new Set(targets.map((target) => target.MountTargetId));
  const gone = (record.resources.mountTargetIds ?? []).filter((id) => !present.has(id));
  for (const zone of zones.availabilityZones) {
    const inZone = targets.filter((target) => target.AvailabilityZoneName === zone);
    if (inZone.some((target) => target.LifeCycleState === 'available')) continue;
    const target = inZone[0];
    if (target?.MountTargetId) {
      findings.push(unavailableMountTarget(target.MountTargetId, zone, target.LifeCycleState));
      continue;
    }
    const clusterZone = zones.clusterZones.includes(zone);
    // CreateMountTargets refuses a file system the volume does not own: a shared one's owner
    // must add the mount target.
    const shared = record.spec.fileSystemId !== undefined;
    const missing = `no mount target in ${zone}${gone.length > 0 ? ` (recorded ${gone.join(', ')} no longer exists)` : ''}: pods there cannot mount the volume`;
    findings.push({
      resource: 'MountTarget',
      id: zone,
      problem: !clusterZone
        ? `no mount target in ${zone}, where a Fargate profile places pods of ${record.namespace} but the cluster has no subnet: add a cluster subnet in ${zone}`
        : shared
          ? `${missing}; the file system ${fileSystemId} is shared, not this volume's, so repair does not create mount targets on it: its owner must add one in ${zone}`
          : missing,
      repairable: clusterZone && !shared,
    });
  }
}

/**
 * A zone whose mount target exists but is not available. Repair creates mount targets only in
 * zones that have none, then waits for them: it can finish one still being created or updated,
 * but not one being deleted (the zone is covered until it is gone) or in error (repair never
 * deletes).
 */
function unavailableMountTarget(
  id: string,
  zone: string,
  state: string | undefined,
): HealthFinding {
  const now = `mount target ${id} in ${zone} is ${state ?? 'in no known state'}, not available`;
  if (state === 'creating' || state === 'updating') {
    return {
      resource: 'MountTarget',
      id,
      problem: `${now}: repair waits for it`,
      repairable: true,
    };
  }
  return {
    resource: 'MountTarget',
    id,
    problem:
      state === 'deleting' || state === 'deleted'
        ? `${now}: check again once it is gone, when repair can add one in ${zone}`
        : `${now}: delete it (aws efs delete-mount-target --mount-target-id ${id}), then check again`,
    repairable: false,
  };
}

async function checkAccessPoint(
  deps: HealthCheckDependencies,
  record: VolumeRecord,
  fileSystemId: string,
  accessPointId: string,
  findings: HealthFinding[],
): Promise<void> {
  const gone: HealthFinding = {
    resource: 'AccessPoint',
    id: accessPointId,
    problem: `access point ${accessPointId} no longer exists: the volume's data is gone from its handle (the files stay on ${fileSystemId} under ${record.spec.rootDirectory.path}, but a new access point is a new volume)`,
    repairable: false,
  };
  // The file system's access points, listed: a batch of checks lists them once per file
  // system (and the policy check lists the same), where one DescribeAccessPoints per volume
  // would cost a call per volume.
  let accessPoint: AccessPointDescription | undefined;
  try {
    await eachAccessPoint(
      deps.efs,
      (point) => {
        if (point.AccessPointId === accessPointId) accessPoint = point;
      },
      fileSystemId,
    );
  } catch (error) {
    // The file system went between its check and this listing: its access points went with it.
    if (errorName(error) !== 'FileSystemNotFound') throw error;
  }
  const state = accessPoint?.LifeCycleState;
  if (!accessPoint || state === 'deleting' || state === 'deleted') {
    findings.push(gone);
  } else if (state !== 'available') {
    findings.push({
      resource: 'AccessPoint',
      id: accessPointId,
      problem: `access point ${accessPointId} is ${state}, not available`,
      repairable: false,
    });
  }
}

/**
 * The PersistentVolume and claim: present, the volume with the recorded handle, Bound to each
 * other. A missing claim is one finding, not also a PersistentVolume left `Released` (Retain)
 * or deleted (Delete) by it.
 */
async function checkKubernetesObjects(
  reader: HealthKubernetesReader,
  record: VolumeRecord,
  handle: string,
  findings: HealthFinding[],
): Promise<void> {
  const pvName = record.resources.persistentVolumeName ?? persistentVolumeName(record.id);
  const claim = record.resources.persistentVolumeClaim ?? {
    namespace: record.namespace,
    name: record.name,
  };
  const claimId = `${claim.namespace}/${claim.name}`;
  const pv = await reader.readObject<PersistentVolumeObject>(
    `/api/v1/persistentvolumes/${encodeURIComponent(pvName)}`,
  );
  const pvc = await reader.readObject<PersistentVolumeClaimObject>(
    `/api/v1/namespaces/${encodeURIComponent(claim.namespace)}/persistentvolumeclaims/${encodeURIComponent(claim.name)}`,
  );
  if (!pv && !pvc) {
    // Deleting a claim deletes its volume under reclaimPolicy Delete: one cause, one finding.
    findings.push({
      resource: 'PersistentVolumeClaim',
      id: claimId,
      problem: `PersistentVolumeClaim ${claimId} no longer exists, nor its PersistentVolume ${pvName}`,
      repairable: true,
    });
    return;
  }
  if (!pv) {
    findings.push({
      resource: 'PersistentVolume',
      id: pvName,
      problem: `PersistentVolume ${pvName} no longer exists`,
      repairable: true,
    });
  } else if (pv.spec?.csi?.volumeHandle !== handle) {
    // spec.csi of a PersistentVolume is immutable: server-side apply cannot change the handle.
    findings.push({
      resource: 'PersistentVolume',
      id: pvName,
      problem: `PersistentVolume ${pvName} has volumeHandle ${pv.spec?.csi?.volumeHandle ?? '(none)'}, not ${handle}, and a PersistentVolume's spec.csi cannot be changed: delete PersistentVolume ${pvName}, then repair the volume`,
      repairable: false,
    });
  } else if (
    pvc &&
    (pv.spec.claimRef?.namespace !== claim.namespace || pv.spec.claimRef?.name !== claim.name)
  ) {
    const ref = pv.spec.claimRef;
    findings.push({
      resource: 'PersistentVolume',
      id: pvName,
      problem: `PersistentVolume ${pvName} is reserved for ${ref ? `${ref.namespace}/${ref.name}` : 'no claim'}, not ${claimId}`,
      repairable: true,
    });
  }
  if (!pvc) {
    findings.push({
      resource: 'PersistentVolumeClaim',
      id: claimId,
      problem: `PersistentVolumeClaim ${claimId} no longer exists`,
      repairable: true,
    });
  } else if (pvc.status?.phase !== 'Bound' || pvc.spec?.volumeName !== pvName) {
    findings.push({
      resource: 'PersistentVolumeClaim',
      id: claimId,
      problem: `PersistentVolumeClaim ${claimId} is ${pvc.status?.phase ?? 'in no phase'}${pvc.spec?.volumeName ? ` on ${pvc.spec.volumeName}` : ''}, not Bound to ${pvName}`,
      repairable: true,
    });
  }
}
