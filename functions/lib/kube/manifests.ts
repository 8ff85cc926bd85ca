import type {
  V1CSIDriver,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
import {
  CREATED_BY_LABEL,
  EFS_CSI_DRIVER,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  persistentVolumeName,
  VOLUME_ID_LABEL,
} from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';

/** What the manifests of one volume are built from. */
export interface VolumeManifestInput {
  readonly volumeId: string;
  readonly spec: VolumeSpec;
  readonly fileSystemId: string;
  readonly accessPointId: string;
}

/** Labels shared by every object this service writes for a volume. */
function volumeLabels(volumeId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [VOLUME_ID_LABEL]: volumeId };
}

/**
 * The EFS CSI driver's registration. EKS Fargate runs the driver itself; the object tells
 * the kubelet not to wait for an attach. Created only where absent and never deleted: it is
 * cluster infrastructure, not part of any one volume, so it carries no volume's label (a
 * leftover scan by volume id must not find it).
 */
export function buildCsiDriver(): V1CSIDriver {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: {
      name: EFS_CSI_DRIVER,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
    },
    spec: { attachRequired: false },
  };
}

/**
 * The StorageClass that the PV and claim name. With static provisioning it provisions
 * nothing; it only pairs claim and volume.
 */
export function buildStorageClass(name: string, createdByVolumeId: string): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [CREATED_BY_LABEL]: createdByVolumeId },
    },
    provisioner: EFS_CSI_DRIVER,
  };
}

/** `fs-…::fsap-…`: the EFS CSI driver's handle for a file system reached through an access point. */
export function volumeHandle(fileSystemId: string, accessPointId: string): string {
  return `${fileSystemId}::${accessPointId}`;
}

/**
 * The PersistentVolume: ReadWriteMany, encrypted in transit, pre-bound to the claim by
 * `claimRef` so no other claim can take it.
 *
 * Encryption in transit is the `encryptInTransit` volume attribute, not the `tls` mount
 * option: the EFS CSI driver deprecates `tls` (it logs a warning on every mount) and
 * rejects `tls` together with `encryptInTransit: "false"`.
 */
export function buildPersistentVolume(input: VolumeManifestInput): V1PersistentVolume {
  const { spec } = input;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: persistentVolumeName(input.volumeId), labels: volumeLabels(input.volumeId) },
    spec: {
      capacity: { storage: spec.capacity },
      volumeMode: 'Filesystem',
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: spec.reclaimPolicy,
      storageClassName: spec.storageClassName,
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: spec.namespace,
        name: spec.name,
      },
      csi: {
        driver: EFS_CSI_DRIVER,
        volumeHandle: volumeHandle(input.fileSystemId, input.accessPointId),
        volumeAttributes: { encryptInTransit: 'true' },
      },
    },
  };
}

/** The claim pods mount, bound by name to the volume's PersistentVolume. */
export function buildPersistentVolumeClaim(input: VolumeManifestInput): V1PersistentVolumeClaim {
  const { spec } = input;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: spec.name, namespace: spec.namespace, labels: volumeLabels(input.volumeId) },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: spec.storageClassName,
      volumeName: persistentVolumeName(input.volumeId),
      resources: { requests: { storage: spec.capacity } },
    },
  };
}

/**
 * The name of the SecurityGroupPolicy this service puts in a namespace: one per namespace,
 * shared by its volumes; fixed, so RBAC can name it.
 */
export const SECURITY_GROUP_POLICY_NAME = 'efs-volumes-nfs-clients';

/**
 * A SecurityGroupPolicy of the VPC resource controller (`vpcresources.k8s.aws/v1beta1`, the
 * controller's CRD), which EKS applies to Fargate pods as they start; typed here as the
 * Kubernetes client has no model for it.
 */
export interface SecurityGroupPolicy {
  readonly apiVersion: 'vpcresources.k8s.aws/v1beta1';
  readonly kind: 'SecurityGroupPolicy';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
  };
  readonly spec: {
    /** Empty: every pod of the namespace. */
    readonly podSelector: Record<string, never>;
    readonly securityGroups: { readonly groupIds: readonly string[] };
  };
}

/** What a namespace's SecurityGroupPolicy is built from (namespace network isolation). */
export interface SecurityGroupPolicyInput {
  readonly namespace: string;
  /** The namespace's client security group, which the volumes' mount targets admit. */
  readonly clientSecurityGroupId: string;
  /**
   * The cluster security group. A pod under a SecurityGroupPolicy carries only the groups it
   * names, so without this one the pod would lose what the cluster group allows (the control
   * plane, CoreDNS, the other pods).
   */
  readonly clusterSecurityGroupId: string;
}

/**
 * Puts the namespace's client security group on every pod of the namespace, keeping the
 * cluster security group. Shared by every volume of the namespace, so it carries no volume's
 * label (a leftover scan by volume id must not find it) and is never deleted by a volume.
 */
export function buildSecurityGroupPolicy(input: SecurityGroupPolicyInput): SecurityGroupPolicy {
  return {
    apiVersion: 'vpcresources.k8s.aws/v1beta1',
    kind: 'SecurityGroupPolicy',
    metadata: {
      name: SECURITY_GROUP_POLICY_NAME,
      namespace: input.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
    },
    spec: {
      podSelector: {},
      securityGroups: { groupIds: [input.clientSecurityGroupId, input.clusterSecurityGroupId] },
    },
  };
}

/** Every manifest of a volume, in the order they are applied. */
export function buildVolumeManifests(input: VolumeManifestInput) {
  return {
    csiDriver: buildCsiDriver(),
    storageClass: buildStorageClass(input.spec.storageClassName, input.volumeId),
    persistentVolume: buildPersistentVolume(input),
    persistentVolumeClaim: buildPersistentVolumeClaim(input),
  } as const;
}
