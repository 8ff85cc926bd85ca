import type { FileSystemDescription } from '@aws-sdk/client-efs';
import { volumeAccessPoints } from '../aws/access-point.ts';
import { findOwnFileSystem } from '../aws/file-system.ts';
import { listMountTargets } from '../aws/mount-targets.ts';
import { findSecurityGroup } from '../aws/security-group.ts';
import { errorName } from '../aws/transient.ts';
import type { KubernetesReader } from '../kube/read-client.ts';
import { persistentVolumeName, VOLUME_ID_LABEL } from '../volume/names.ts';
import type { LeftoverResource, VolumeResources } from '../volume/record.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import type { StepState } from './state.ts';

/** An id we could not confirm: the best we know, or that it is unknown. */
const UNKNOWN = 'unknown: could not be checked';

/**
 * Why a resource could not be checked, as a leftover's `reason` shows it: the error's name
 * and message, bounded.
 */
export function uncheckedReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `could not be checked: ${errorName(error)}: ${message}`.slice(0, 500);
}

/**
 * Everything of a volume that still exists, found the way rollback finds it (tags, the
 * CreationToken, labels): what a ROLLBACK_FAILED or DELETE_FAILED record lists so nothing is
 * silently lost. A resource that could not be checked is listed too, with the reason and the
 * id the record knows (`resources`), never dropped.
 */
export async function findLeftovers(
  state: StepState,
  deps: Pick<AwsStepDependencies, 'efs' | 'ec2'>,
  kubernetes: KubernetesReader | undefined,
  resources: VolumeResources = {},
): Promise<LeftoverResource[]> {
  const leftovers: LeftoverResource[] = [];
  const attempt = async (what: string, knownId: string | undefined, find: () => Promise<void>) => {
    try {
      await find();
    } catch (error) {
      leftovers.push({ type: what, id: knownId ?? UNKNOWN, reason: uncheckedReason(error) });
    }
  };
  await attempt('Kubernetes', undefined, async () => {
    if (!kubernetes) return;
    type Labelled = { metadata?: { labels?: Record<string, string> } };
    const { namespace, name } = state.spec;
    const claim = await kubernetes.readObject<Labelled>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`,
    );
    if (claim?.metadata?.labels?.[VOLUME_ID_LABEL] === state.volumeId) {
      leftovers.push({ type: 'PersistentVolumeClaim', id: `${namespace}/${name}` });
    }
    const pvName = persistentVolumeName(state.volumeId);
    if (await kubernetes.readObject<Labelled>(`/api/v1/persistentvolumes/${pvName}`)) {
      leftovers.push({ type: 'PersistentVolume', id: pvName });
    }
  });
  // The volume's own file system (never a shared one). If it cannot be described, it may
  // still be there with its mount targets: list both as unconfirmed rather than drop them.
  const knownOwnId = resources.fileSystemShared ? undefined : resources.fileSystemId;
  let ownFileSystem: FileSystemDescription | undefined;
  let ownDescribed = true;
  await attempt('FileSystem', knownOwnId ?? state.fileSystem?.fileSystemId, async () => {
    try {
      ownFileSystem = await findOwnFileSystem(deps.efs, state.volumeId);
    } catch (error) {
      ownDescribed = false;
      throw error;
    }
  });
  const fileSystemId = state.spec.fileSystemId ?? ownFileSystem?.FileSystemId ?? knownOwnId;
  await attempt('AccessPoint', resources.accessPointId, async () => {
    if (!fileSystemId) return;
    // The volume's own and a restore listing's temporary one, if either is left.
    for (const point of await volumeAccessPoints(deps.efs, fileSystemId, state.volumeId)) {
      if (point.AccessPointId) leftovers.push({ type: 'AccessPoint', id: point.AccessPointId });
    }
  });
  if (ownDescribed) {
    await attempt('MountTarget', undefined, async () => {
      if (!ownFileSystem?.FileSystemId) return;
      for (const target of await listMountTargets(deps.efs, ownFileSystem.FileSystemId)) {
        if (target.MountTargetId) leftovers.push({ type: 'MountTarget', id: target.MountTargetId });
      }
    });
    if (ownFileSystem?.FileSystemId)
      leftovers.push({ type: 'FileSystem', id: ownFileSystem.FileSystemId });
  } else {
    for (const id of resources.mountTargetIds ?? [UNKNOWN]) {
      leftovers.push({
        type: 'MountTarget',
        id,
        reason: 'could not be checked: its file system could not be described',
      });
    }
  }
  await attempt('SecurityGroup', resources.securityGroupId, async () => {
    const groupId = await findSecurityGroup(deps.ec2, state.volumeId);
    if (groupId) leftovers.push({ type: 'SecurityGroup', id: groupId });
  });
  return leftovers;
}
