import { findAccessPoint } from '../aws/access-point.ts';
import { findOwnFileSystem } from '../aws/file-system.ts';
import { listMountTargets } from '../aws/mount-targets.ts';
import { findSecurityGroup } from '../aws/security-group.ts';
import type { KubernetesReader } from '../kube/read-client.ts';
import { persistentVolumeName, VOLUME_ID_LABEL } from '../volume/names.ts';
import type { LeftoverResource } from '../volume/record.ts';
import type { AwsStepDependencies } from './dependencies.ts';
import type { ProvisionState } from './state.ts';

/**
 * Everything of a volume that still exists, found the way rollback finds it (tags, the
 * CreationToken, labels): what a ROLLBACK_FAILED record lists so nothing is silently lost.
 */
export async function findLeftovers(
  state: ProvisionState,
  deps: Pick<AwsStepDependencies, 'efs' | 'ec2'>,
  kubernetes: KubernetesReader | undefined,
): Promise<LeftoverResource[]> {
  const leftovers: LeftoverResource[] = [];
  const attempt = async (what: string, find: () => Promise<void>) => {
    try {
      await find();
    } catch {
      leftovers.push({ type: what, id: 'unknown: could not be checked' });
    }
  };
  await attempt('Kubernetes', async () => {
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
  const ownFileSystem = await findOwnFileSystem(deps.efs, state.volumeId).catch(() => undefined);
  const fileSystemId = state.spec.fileSystemId ?? ownFileSystem?.FileSystemId;
  await attempt('AccessPoint', async () => {
    if (!fileSystemId) return;
    const point = await findAccessPoint(deps.efs, fileSystemId, state.volumeId);
    if (point?.AccessPointId) leftovers.push({ type: 'AccessPoint', id: point.AccessPointId });
  });
  await attempt('MountTarget', async () => {
    if (!ownFileSystem?.FileSystemId) return;
    for (const target of await listMountTargets(deps.efs, ownFileSystem.FileSystemId)) {
      if (target.MountTargetId) leftovers.push({ type: 'MountTarget', id: target.MountTargetId });
    }
  });
  if (ownFileSystem?.FileSystemId)
    leftovers.push({ type: 'FileSystem', id: ownFileSystem.FileSystemId });
  await attempt('SecurityGroup', async () => {
    const groupId = await findSecurityGroup(deps.ec2, state.volumeId);
    if (groupId) leftovers.push({ type: 'SecurityGroup', id: groupId });
  });
  return leftovers;
}
