import { describe, expect, it } from 'vitest';
import { ObjectApi } from '../../local/kube-emulator/object-api.ts';
import type { KubeObject } from '../../local/kube-emulator/objects.ts';
import {
  CSI_DRIVERS,
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  type ResourceType,
  STORAGE_CLASSES,
} from '../../local/kube-emulator/resources.ts';
import { KubeApiError } from '../../local/kube-emulator/status.ts';
import { ObjectStore } from '../../local/kube-emulator/store.ts';

const manager = { fieldManager: 'efs-volumes', force: false, dryRun: false };

function cluster(): ObjectApi {
  const api = new ObjectApi(new ObjectStore(), () => new Date('2026-03-01T12:00:00Z'));
  for (const name of ['default', 'team']) {
    api.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return api;
}

function volume(name: string, overrides: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteMany'],
      storageClassName: 'efs-sc',
      csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-123::fsap-456' },
      ...overrides,
    },
  };
}

function claim(name: string, overrides: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'team' },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: 'efs-sc',
      resources: { requests: { storage: '5Gi' } },
      ...overrides,
    },
  };
}

function applyTo(api: ObjectApi, resource: ResourceType, object: KubeObject, options = manager) {
  return api.apply(
    { resource, namespace: object.metadata.namespace, name: object.metadata.name },
    object,
    options,
  ).object;
}

function phaseOf(api: ObjectApi, resource: ResourceType, name: string, namespace?: string) {
  const object = api.get({ resource, name, ...(namespace ? { namespace } : {}) });
  return (object.status as { phase?: string } | undefined)?.phase;
}

function failureOf(action: () => unknown): KubeApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof KubeApiError) return error;
    throw error;
  }
  throw new Error('expected a KubeApiError');
}

describe('ObjectApi', () => {
  it('binds a claim to the volume it names, filling in claimRef and both statuses', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));
    expect(phaseOf(api, PERSISTENT_VOLUMES, 'pv1')).toBe('Available');

    const bound = applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data', { volumeName: 'pv1' }));

    const pv = api.get({ resource: PERSISTENT_VOLUMES, name: 'pv1' });
    expect(bound.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteMany'],
      capacity: { storage: '5Gi' },
    });
    expect(pv.spec).toMatchObject({
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: 'team',
        name: 'data',
        uid: bound.metadata.uid,
      },
    });
    expect(phaseOf(api, PERSISTENT_VOLUMES, 'pv1')).toBe('Bound');
  });

  it('binds when the volume arrives after the claim', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data', { volumeName: 'pv1' }));
    expect(phaseOf(api, PERSISTENT_VOLUME_CLAIMS, 'data', 'team')).toBe('Pending');

    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));

    expect(phaseOf(api, PERSISTENT_VOLUME_CLAIMS, 'data', 'team')).toBe('Bound');
  });

  it('leaves a claim Pending when class, access modes or capacity do not match', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('small', { capacity: { storage: '1Gi' } }));
    applyTo(api, PERSISTENT_VOLUMES, volume('other-class', { storageClassName: 'gp3' }));
    applyTo(api, PERSISTENT_VOLUMES, volume('rwo', { accessModes: ['ReadWriteOnce'] }));

    for (const name of ['small', 'other-class', 'rwo']) {
      applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim(`wants-${name}`, { volumeName: name }));
      expect(phaseOf(api, PERSISTENT_VOLUME_CLAIMS, `wants-${name}`, 'team'), name).toBe('Pending');
    }
  });

  it('binds a claim without volumeName to the smallest matching Available volume', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('big', { capacity: { storage: '100Gi' } }));
    applyTo(api, PERSISTENT_VOLUMES, volume('fits', { capacity: { storage: '6Gi' } }));

    const bound = applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data'));

    expect(bound.spec).toMatchObject({ volumeName: 'fits' });
  });

  it('releases a Retain volume and deletes a Delete volume when the bound claim is deleted', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('kept'));
    applyTo(api, PERSISTENT_VOLUMES, volume('gone', { persistentVolumeReclaimPolicy: 'Delete' }));
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('a', { volumeName: 'kept' }));
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('b', { volumeName: 'gone' }));

    api.delete(
      { resource: PERSISTENT_VOLUME_CLAIMS, namespace: 'team', name: 'a' },
      { dryRun: false },
    );
    api.delete(
      { resource: PERSISTENT_VOLUME_CLAIMS, namespace: 'team', name: 'b' },
      { dryRun: false },
    );

    expect(phaseOf(api, PERSISTENT_VOLUMES, 'kept')).toBe('Released');
    expect(api.all().map((object) => `${object.kind}/${object.metadata.name}`)).not.toContain(
      'PersistentVolume/gone',
    );
  });

  it('keeps a claim that a pod uses until the pod is deleted', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data'));
    applyTo(api, PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: 'team' },
      spec: {
        containers: [{ name: 'app', image: 'busybox' }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    });

    const terminating = api.delete(
      { resource: PERSISTENT_VOLUME_CLAIMS, namespace: 'team', name: 'data' },
      { dryRun: false },
    );
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect(terminating.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);

    api.delete({ resource: PODS, namespace: 'team', name: 'app' }, { dryRun: false });

    expect(api.all().filter((object) => object.metadata.namespace === 'team')).toEqual([]);
  });

  it('deletes everything in a namespace with the namespace', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data', { volumeName: 'pv1' }));

    api.delete({ resource: NAMESPACES, name: 'team' }, { dryRun: false });

    expect(api.all().map((object) => object.metadata.name)).toEqual(['default', 'pv1']);
    expect(phaseOf(api, PERSISTENT_VOLUMES, 'pv1')).toBe('Released');
  });

  it('does not bump resourceVersion when the same configuration is applied again', () => {
    const api = cluster();
    const first = applyTo(api, STORAGE_CLASSES, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'efs-sc' },
      provisioner: 'efs.csi.aws.com',
    });

    const again = applyTo(api, STORAGE_CLASSES, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'efs-sc' },
      provisioner: 'efs.csi.aws.com',
    });

    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(again.metadata.generation).toBe(1);
  });

  it('stores nothing on a dry run', () => {
    const api = cluster();
    const before = api.all();

    const dry = applyTo(api, PERSISTENT_VOLUMES, volume('pv1'), { ...manager, dryRun: true });

    expect(dry.metadata.name).toBe('pv1');
    expect(api.all()).toEqual(before);
  });

  it('refuses invalid names and missing fields with 422 and one cause each', () => {
    const api = cluster();

    const error = failureOf(() =>
      api.create(
        PERSISTENT_VOLUME_CLAIMS,
        'team',
        { metadata: { name: 'Bad_Name' }, spec: {} },
        manager,
      ),
    );

    expect(error.code).toBe(422);
    expect(error.status.reason).toBe('Invalid');
    expect(error.status.details?.causes?.map((cause) => cause.field)).toEqual([
      'metadata.name',
      'spec.accessModes',
      'spec.resources[storage]',
    ]);
    expect(error.message).toMatch(
      /^PersistentVolumeClaim "Bad_Name" is invalid: \[metadata.name: Invalid value/,
    );
  });

  it('refuses changes to immutable fields with 422', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data'));
    const driver: KubeObject = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: 'efs.csi.aws.com' },
      spec: { attachRequired: false },
    };
    applyTo(api, CSI_DRIVERS, driver);
    const force = { ...manager, force: true };

    const changes = [
      () =>
        applyTo(
          api,
          PERSISTENT_VOLUMES,
          volume('pv1', { csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-9' } }),
          force,
        ),
      () =>
        applyTo(
          api,
          PERSISTENT_VOLUME_CLAIMS,
          claim('data', { accessModes: ['ReadWriteOnce'] }),
          force,
        ),
      () => applyTo(api, CSI_DRIVERS, { ...driver, spec: { attachRequired: true } }, force),
    ];

    for (const change of changes) expect(failureOf(change).code).toBe(422);
  });

  it('refuses a stale resourceVersion with 409 Conflict', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));
    const stale = volume('pv1', { storageClassName: 'efs-sc' });
    stale.metadata.resourceVersion = '1';

    const error = failureOf(() => applyTo(api, PERSISTENT_VOLUMES, stale));

    expect(error.code).toBe(409);
    expect(error.message).toBe(
      'Operation cannot be fulfilled on persistentvolumes "pv1": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('refuses new objects in a namespace that does not exist with 404 for the namespace', () => {
    const api = cluster();

    const error = failureOf(() =>
      applyTo(api, PERSISTENT_VOLUME_CLAIMS, {
        ...claim('data'),
        metadata: { name: 'data', namespace: 'nope' },
      }),
    );

    expect(error.status).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "nope" not found',
      details: { name: 'nope', kind: 'namespaces' },
    });
  });

  it('answers 409 AlreadyExists when creating an object twice', () => {
    const api = cluster();
    api.create(PERSISTENT_VOLUMES, undefined, volume('pv1'), manager);

    const error = failureOf(() =>
      api.create(PERSISTENT_VOLUMES, undefined, volume('pv1'), manager),
    );

    expect(error.status).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'persistentvolumes "pv1" already exists',
    });
  });

  it('refuses to grow a claim whose StorageClass does not allow expansion with 403 Forbidden', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUME_CLAIMS, claim('data'));

    const error = failureOf(() =>
      applyTo(
        api,
        PERSISTENT_VOLUME_CLAIMS,
        claim('data', { resources: { requests: { storage: '10Gi' } } }),
      ),
    );

    expect(error.status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
      details: { name: 'data', kind: 'persistentvolumeclaims' },
    });
  });

  it('merge-patches, crediting the patching manager with an Update entry', () => {
    const api = cluster();
    applyTo(api, PERSISTENT_VOLUMES, volume('pv1'));

    const patched = api.mergePatch(
      { resource: PERSISTENT_VOLUMES, name: 'pv1' },
      { metadata: { labels: { team: 'a' } }, spec: { mountOptions: ['tls'] } },
      { fieldManager: 'kubectl-patch', dryRun: false },
    );

    expect(patched.metadata.labels).toEqual({ team: 'a' });
    expect(
      patched.metadata.managedFields?.find((entry) => entry.manager === 'kubectl-patch'),
    ).toMatchObject({
      operation: 'Update',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:team': {} } },
        'f:spec': { 'f:mountOptions': {} },
      },
    });
  });
});
