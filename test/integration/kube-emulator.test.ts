import {
  ApiException,
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
  type V1CSIDriver,
  type V1Namespace,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoveryDocument } from '../../local/kube-emulator/discovery.ts';
import { type KubeEmulator, startKubeEmulator } from '../../local/kube-emulator/index.ts';
import { kubernetesApiFor } from '../support/kubernetes-client.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const FIELD_MANAGER = 'efs-volumes';

let emulator: KubeEmulator;
let client: KubernetesObjectApi;

function apply<T extends KubernetesObject>(object: T, fieldManager = FIELD_MANAGER, force = true) {
  return client.patch(
    object,
    undefined,
    undefined,
    fieldManager,
    force,
    PatchStrategy.ServerSideApply,
  );
}

async function failureOf(action: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function statusCodeOf(action: Promise<unknown>): Promise<number> {
  return (await failureOf(action)).code;
}

const csiDriver: V1CSIDriver = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'CSIDriver',
  metadata: { name: 'efs.csi.aws.com' },
  spec: { attachRequired: false },
};
const storageClass: V1StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'efs-sc' },
  provisioner: 'efs.csi.aws.com',
};
const namespace: V1Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
const volume: V1PersistentVolume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'efs-pv', labels: { 'efs.example.com/volume-id': 'vol-1' } },
  spec: {
    capacity: { storage: '5Gi' },
    accessModes: ['ReadWriteMany'],
    persistentVolumeReclaimPolicy: 'Retain',
    storageClassName: 'efs-sc',
    csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-123::fsap-456' },
  },
};
const claim: V1PersistentVolumeClaim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'team', labels: { 'efs.example.com/volume-id': 'vol-1' } },
  spec: {
    accessModes: ['ReadWriteMany'],
    storageClassName: 'efs-sc',
    volumeName: 'efs-pv',
    resources: { requests: { storage: '5Gi' } },
  },
};

const claimHeader = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'team' },
};
const volumeHeader = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'efs-pv' } };
const storageClassHeader = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'efs-sc' },
};

beforeAll(async () => {
  emulator = await startKubeEmulator({
    clusterName: 'emulated',
    stsEndpoint: process.env.AWS_ENDPOINT_URL ?? '',
    credentials: [credentials],
  });
  client = await kubernetesApiFor(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.clearFaults();
});

describe('the Kubernetes emulator with @kubernetes/client-node', () => {
  it('binds a statically provisioned EFS claim applied with server-side apply', async () => {
    for (const manifest of [csiDriver, storageClass, namespace, volume, claim])
      await apply(manifest);

    const readClaim = await client.read<V1PersistentVolumeClaim>(claimHeader);
    const readVolume = await client.read<V1PersistentVolume>(volumeHeader);

    expect(readClaim.status).toMatchObject({ phase: 'Bound', capacity: { storage: '5Gi' } });
    expect(readVolume.status).toMatchObject({ phase: 'Bound' });
    expect(readVolume.spec).toMatchObject({
      claimRef: { namespace: 'team', name: 'data', uid: readClaim.metadata?.uid },
    });
    expect(readClaim.metadata?.managedFields?.[0]).toMatchObject({
      manager: FIELD_MANAGER,
      operation: 'Apply',
    });
  });

  it('keeps the resourceVersion when the same manifest is applied again', async () => {
    const before = await client.read<V1PersistentVolumeClaim>(claimHeader);

    const reapplied = await apply(claim);

    expect(reapplied.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it("answers 409 when another manager changes this manager's field, and succeeds with force", async () => {
    const takeOver = {
      ...volume,
      metadata: { name: 'efs-pv' },
      spec: { capacity: { storage: '10Gi' } },
    };

    const withoutForce = await statusCodeOf(apply(takeOver, 'someone-else', false));
    const forced = await apply(takeOver, 'someone-else', true);

    expect(withoutForce).toBe(409);
    expect(forced.spec).toMatchObject({ capacity: { storage: '10Gi' } });
  });

  it('answers 422 for a change to an immutable field', async () => {
    const moved = {
      ...volume,
      spec: { ...volume.spec, csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-999' } },
    };

    expect(await statusCodeOf(apply(moved))).toBe(422);
  });

  it('answers 404 for a missing object and for a namespaced object in a missing namespace', async () => {
    const missing = await statusCodeOf(
      client.read({ ...claim, metadata: { name: 'nope', namespace: 'team' } }),
    );
    const noNamespace = await statusCodeOf(
      apply({ ...claim, metadata: { name: 'data', namespace: 'ghost' } }),
    );
    const deleteInMissingNamespace = await statusCodeOf(
      client.delete({ ...claim, metadata: { name: 'data', namespace: 'ghost' } }),
    );

    expect([missing, noNamespace, deleteInMissingNamespace]).toEqual([404, 404, 404]);
  });

  it('lists across namespaces with a label selector', async () => {
    const list = await client.list(
      'v1',
      'PersistentVolumeClaim',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'efs.example.com/volume-id=vol-1',
    );
    const none = await client.list(
      'v1',
      'PersistentVolumeClaim',
      'team',
      undefined,
      undefined,
      undefined,
      undefined,
      'efs.example.com/volume-id=other',
    );

    expect(list.items.map((item) => item.metadata?.name)).toEqual(['data']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(none.items).toEqual([]);
  });

  it('answers an injected fault once and then recovers', async () => {
    emulator.injectFault({ method: 'GET', pathIncludes: '/persistentvolumes/efs-pv', status: 503 });

    const first = await statusCodeOf(client.read<V1PersistentVolume>(volumeHeader));
    const second = await client.read<V1PersistentVolume>(volumeHeader);

    expect(first).toBe(503);
    expect(second.metadata?.name).toBe('efs-pv');
  });

  it('answers an injected 429 with Retry-After as many times as asked, then recovers', async () => {
    emulator.injectFault({ pathIncludes: 'storageclasses', status: 429, times: 2 });

    const failures = [
      await failureOf(client.read<V1StorageClass>(storageClassHeader)),
      await failureOf(client.read<V1StorageClass>(storageClassHeader)),
    ];
    const recovered = await client.read<V1StorageClass>(storageClassHeader);

    expect(failures.map((failure) => [failure.code, failure.headers['retry-after']])).toEqual([
      [429, '1'],
      [429, '1'],
    ]);
    expect(recovered.metadata?.name).toBe('efs-sc');
  });

  it('deletes the claim, releases the Retain volume, and leaves nothing of the claim behind', async () => {
    await client.delete({ ...claim });
    await client.delete({ ...namespace });

    const releasedVolume = await client.read<V1PersistentVolume>(volumeHeader);
    expect(releasedVolume.status).toMatchObject({ phase: 'Released' });
    await client.delete({ ...volume });
    expect(emulator.objects().map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(
      expect.not.arrayContaining([
        'PersistentVolumeClaim/data',
        'PersistentVolume/efs-pv',
        'Namespace/team',
      ]),
    );
  });
});

describe('the Kubernetes emulator serves SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1)', () => {
  const sgpNamespace: V1Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'isolated' },
  };
  const policy = {
    apiVersion: 'vpcresources.k8s.aws/v1beta1',
    kind: 'SecurityGroupPolicy',
    metadata: { name: 'nfs-clients', namespace: 'isolated' },
    spec: { podSelector: {}, securityGroups: { groupIds: ['sg-client', 'sg-cluster'] } },
  };

  it('lists the kind in discovery as namespaced, with its short name', () => {
    // Act: the document the client reads (its apply below finds the kind's path through it)
    const groups = discoveryDocument('/apis', 'localhost') as { groups: { name: string }[] };
    const resources = discoveryDocument('/apis/vpcresources.k8s.aws/v1beta1', 'localhost') as {
      resources: unknown[];
    };

    // Assess
    expect(groups.groups.map((group) => group.name)).toContain('vpcresources.k8s.aws');
    expect(resources.resources).toEqual([
      expect.objectContaining({
        name: 'securitygrouppolicies',
        kind: 'SecurityGroupPolicy',
        namespaced: true,
        shortNames: ['sgp'],
      }),
    ]);
  });

  it('stores one applied with server-side apply in its namespace, and reapplying changes nothing', async () => {
    // Prepare
    await apply(sgpNamespace);

    // Act
    const applied = await apply(policy as KubernetesObject);
    const reapplied = await apply(policy as KubernetesObject);
    const read = await client.read<typeof policy>(policy);

    // Assess
    expect(read.spec).toEqual(policy.spec);
    expect(read.metadata).toMatchObject({ namespace: 'isolated', name: 'nfs-clients' });
    expect(reapplied.metadata?.resourceVersion).toBe(applied.metadata?.resourceVersion);
    expect(
      await statusCodeOf(
        client.read({ ...policy, metadata: { ...policy.metadata, namespace: 'team' } }),
      ),
    ).toBe(404);
  });

  it('answers 422 for a policy without security groups, as its CRD schema does', async () => {
    // Prepare
    await apply(sgpNamespace);
    const empty = {
      ...policy,
      metadata: { ...policy.metadata, name: 'empty' },
      spec: { podSelector: {}, securityGroups: { groupIds: [] } },
    };

    // Act
    const failure = await failureOf(apply(empty as KubernetesObject));

    // Assess
    expect(failure.code).toBe(422);
  });
});
