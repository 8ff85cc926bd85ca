import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  buildCsiDriver,
  buildPersistentVolume,
  buildPersistentVolumeClaim,
  buildSecurityGroupPolicy,
  buildStorageClass,
  buildVolumeManifests,
  type VolumeManifestInput,
  volumeHandle,
} from '../../functions/lib/kube/manifests.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const input: VolumeManifestInput = {
  volumeId: VOLUME_ID,
  spec: volumeSpec({ capacity: '20Gi', reclaimPolicy: 'Delete', storageClassName: 'efs-shared' }),
  fileSystemId: 'fs-0123456789abcdef0',
  accessPointId: 'fsap-0fedcba9876543210',
};

const volumeLabels = {
  'app.kubernetes.io/managed-by': 'efs-volumes',
  'efs-volumes.dev/volume-id': VOLUME_ID,
};

describe('volumeHandle', () => {
  it('joins file system and access point with "::" as the EFS CSI driver expects', () => {
    // Act
    const handle = volumeHandle('fs-0123456789abcdef0', 'fsap-0fedcba9876543210');

    // Assess
    expect(handle).toBe('fs-0123456789abcdef0::fsap-0fedcba9876543210');
  });
});

describe('buildCsiDriver', () => {
  it('registers efs.csi.aws.com without attach, labelled with no volume, since no volume owns it', () => {
    // Act
    const driver = buildCsiDriver();

    // Assess
    expect(driver).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: {
        name: 'efs.csi.aws.com',
        labels: { 'app.kubernetes.io/managed-by': 'efs-volumes' },
      },
      spec: { attachRequired: false },
    });
  });
});

describe('buildStorageClass', () => {
  it('names the EFS CSI driver as provisioner under the requested name', () => {
    // Act
    const storageClass = buildStorageClass('efs-shared', VOLUME_ID);

    // Assess
    expect(storageClass.apiVersion).toBe('storage.k8s.io/v1');
    expect(storageClass.kind).toBe('StorageClass');
    expect(storageClass.metadata?.name).toBe('efs-shared');
    expect(storageClass.provisioner).toBe('efs.csi.aws.com');
    expect(storageClass.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'efs-volumes',
      'efs-volumes.dev/created-by-volume': VOLUME_ID,
    });
  });
});

describe('buildPersistentVolume', () => {
  it('points the EFS CSI driver at the access point of the file system', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess
    expect(volume.spec?.csi).toEqual({
      driver: 'efs.csi.aws.com',
      volumeHandle: 'fs-0123456789abcdef0::fsap-0fedcba9876543210',
      volumeAttributes: { encryptInTransit: 'true' },
    });
    expect(volume.spec?.csi?.volumeHandle).toMatch(/^fs-[0-9a-f]+::fsap-[0-9a-f]+$/);
  });

  it('is a ReadWriteMany filesystem volume', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess
    expect(volume.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(volume.spec?.volumeMode).toBe('Filesystem');
  });

  it('encrypts in transit with the encryptInTransit attribute and not the deprecated tls mount option', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess: the driver warns on `tls` and rejects it beside encryptInTransit "false"
    expect(volume.spec?.csi?.volumeAttributes).toEqual({ encryptInTransit: 'true' });
    expect(volume.spec?.mountOptions).toBeUndefined();
  });

  it('is pre-bound to the claim by claimRef', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess
    expect(volume.spec?.claimRef).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: 'team-a',
      name: 'shared-data',
    });
  });

  it('carries the capacity, reclaim policy and storage class of the spec', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess
    expect(volume.spec?.capacity).toEqual({ storage: '20Gi' });
    expect(volume.spec?.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(volume.spec?.storageClassName).toBe('efs-shared');
  });

  it('is named after the volume id and labelled with it', () => {
    // Act
    const volume = buildPersistentVolume(input);

    // Assess
    expect(volume.apiVersion).toBe('v1');
    expect(volume.kind).toBe('PersistentVolume');
    expect(volume.metadata).toEqual({ name: `efs-${VOLUME_ID}`, labels: volumeLabels });
    expect(volume.metadata).not.toHaveProperty('namespace');
  });
});

describe('buildPersistentVolumeClaim', () => {
  it('claims the volume by name in the requested namespace', () => {
    // Act
    const claim = buildPersistentVolumeClaim(input);

    // Assess
    expect(claim.apiVersion).toBe('v1');
    expect(claim.kind).toBe('PersistentVolumeClaim');
    expect(claim.metadata).toEqual({
      name: 'shared-data',
      namespace: 'team-a',
      labels: volumeLabels,
    });
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'efs-shared',
      volumeName: `efs-${VOLUME_ID}`,
      resources: { requests: { storage: '20Gi' } },
    });
  });

  it('matches the volume it claims in storage class, capacity and access mode', () => {
    // Act
    const volume = buildPersistentVolume(input);
    const claim = buildPersistentVolumeClaim(input);

    // Assess
    expect(claim.spec?.volumeName).toBe(volume.metadata?.name);
    expect(claim.spec?.storageClassName).toBe(volume.spec?.storageClassName);
    expect(claim.spec?.resources?.requests?.storage).toBe(volume.spec?.capacity?.storage);
    expect(claim.spec?.accessModes).toEqual(volume.spec?.accessModes);
    expect(volume.spec?.claimRef?.name).toBe(claim.metadata?.name);
    expect(volume.spec?.claimRef?.namespace).toBe(claim.metadata?.namespace);
  });
});

describe('buildVolumeManifests', () => {
  it('builds the four objects in the order they are applied', () => {
    // Act
    const manifests = buildVolumeManifests(input);

    // Assess
    expect(Object.values(manifests).map((manifest) => manifest.kind)).toEqual([
      'CSIDriver',
      'StorageClass',
      'PersistentVolume',
      'PersistentVolumeClaim',
    ]);
    expect(manifests.storageClass.metadata?.name).toBe('efs-shared');
  });

  it('synthesizes the YAML of a volume', () => {
    // Prepare
    const manifests = buildVolumeManifests(input);

    // Act
    const yaml = Object.values(manifests)
      .map((manifest) => dump(manifest, { lineWidth: -1, noRefs: true }))
      .join('---\n');

    // Assess
    expect(yaml).toMatchSnapshot();
  });
});

describe('buildSecurityGroupPolicy', () => {
  const policyInput = {
    namespace: 'team-a',
    clientSecurityGroupId: 'sg-0client0000000000',
    clusterSecurityGroupId: 'sg-0cluster000000000',
  };

  it("gives every pod of the namespace its client group and keeps the cluster's", () => {
    // Act
    const policy = buildSecurityGroupPolicy(policyInput);

    // Assess
    expect(policy).toEqual({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: {
        name: 'efs-volumes-nfs-clients',
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/managed-by': 'efs-volumes' },
      },
      spec: {
        podSelector: {},
        securityGroups: { groupIds: ['sg-0client0000000000', 'sg-0cluster000000000'] },
      },
    });
  });

  it('carries no volume label, since every volume of the namespace shares it', () => {
    // Act
    const policy = buildSecurityGroupPolicy(policyInput);

    // Assess
    expect(Object.keys(policy.metadata.labels)).toEqual(['app.kubernetes.io/managed-by']);
  });
});
