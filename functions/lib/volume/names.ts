import { randomBytes } from 'node:crypto';

/** The tag every AWS resource of a volume carries, so retries and rollback can find it. */
export const VOLUME_ID_TAG = 'efs-volumes:volume-id';
/** The label every Kubernetes object of a volume carries. */
export const VOLUME_ID_LABEL = 'efs-volumes.dev/volume-id';
/** Put on a shared object (CSIDriver, StorageClass) by the volume that created it. */
export const CREATED_BY_LABEL = 'efs-volumes.dev/created-by-volume';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'efs-volumes';
/** The server-side apply field manager: fixed, so reapplying is idempotent. */
export const FIELD_MANAGER = 'efs-volumes';
export const EFS_CSI_DRIVER = 'efs.csi.aws.com';
export const DEFAULT_STORAGE_CLASS = 'efs-sc';

/** A new volume id: `vol-` and 20 hex digits, usable as an EFS CreationToken and in names. */
export function newVolumeId(): string {
  return `vol-${randomBytes(10).toString('hex')}`;
}

/** The PersistentVolume name: cluster-scoped, so it carries the volume id. */
export function persistentVolumeName(volumeId: string): string {
  return `efs-${volumeId}`;
}

/** The security group name, unique per VPC. */
export function securityGroupName(volumeId: string): string {
  return `efs-volumes-${volumeId}`;
}
