// Issue 12 item 5: two volumes of one StorageClass, one being applied while the other is
// deleted. Each test interleaves the two at the exact point where the old list-then-delete
// went wrong, and checks that the PV that remains still has its StorageClass.
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVolumeManifests, deleteVolumeManifests } from '../../functions/lib/kube/apply.ts';
import { newVolumeId, persistentVolumeName } from '../../functions/lib/volume/names.ts';
import type { KubeEmulator } from '../../local/kube-emulator/index.ts';
import { kubernetesApiFor } from '../support/kubernetes-client.ts';
import { startEmulatorFor, uniqueName } from '../support/workflow-harness.ts';
import { volumeSpec } from '../unit/fixtures.ts';

let emulator: KubeEmulator;
let api: KubernetesObjectApi;

beforeAll(async () => {
  emulator = await startEmulatorFor(uniqueName('sc-race'), ['team-a']);
  api = await kubernetesApiFor(emulator);
});

afterAll(async () => {
  await emulator?.stop();
});

/** A volume of the class under test, with its own claim name. */
function volumeOf(storageClassName: string) {
  const volumeId = newVolumeId();
  const spec = volumeSpec({
    clusterName: emulator.clusterName,
    name: uniqueName('data'),
    storageClassName,
  });
  return {
    volumeId,
    spec,
    input: { volumeId, spec, fileSystemId: 'fs-0123456789abcdef0', accessPointId: 'fsap-01234567' },
  };
}

/**
 * The object API, with `before` run (once) just before the first call that `matches`: the
 * other volume's whole operation fits in that gap.
 */
function pausingBefore(
  method: 'delete' | 'patch',
  matches: (object: KubernetesObject) => boolean,
  before: () => Promise<unknown>,
): KubernetesObjectApi {
  let done = false;
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== method || typeof value !== 'function') return value;
      return async (object: KubernetesObject, ...rest: unknown[]) => {
        if (!done && matches(object)) {
          done = true;
          await before();
        }
        return (value as (...args: unknown[]) => Promise<unknown>).call(target, object, ...rest);
      };
    },
  });
}

function storageClass(name: string) {
  return emulator
    .objects()
    .find((object) => object.kind === 'StorageClass' && object.metadata.name === name);
}

describe('the StorageClass two volumes share', () => {
  it('stays while a PV of its class was applied between the delete deciding it unused and deleting it', async () => {
    // Prepare
    const className = uniqueName('efs-race');
    const leaving = volumeOf(className);
    const arriving = volumeOf(className);
    await applyVolumeManifests(api, leaving.input);
    const deleting = pausingBefore(
      'delete',
      (object) => object.kind === 'StorageClass',
      () => applyVolumeManifests(api, arriving.input),
    );

    // Act
    await deleteVolumeManifests(deleting, leaving.volumeId, leaving.spec);

    // Assess
    const pv = emulator
      .objects()
      .find((object) => object.metadata.name === persistentVolumeName(arriving.volumeId));
    expect(pv, 'the arriving volume has its PV').toBeDefined();
    expect(storageClass(className), 'the PV that remains keeps its StorageClass').toBeDefined();
  });

  it('comes back when a delete removed it after an apply had seen it present', async () => {
    // Prepare
    const className = uniqueName('efs-race');
    const leaving = volumeOf(className);
    const arriving = volumeOf(className);
    await applyVolumeManifests(api, leaving.input);
    const applying = pausingBefore(
      'patch',
      (object) => object.kind === 'PersistentVolume',
      () => deleteVolumeManifests(api, leaving.volumeId, leaving.spec),
    );

    // Act
    const applied = await applyVolumeManifests(applying, arriving.input);

    // Assess
    expect(applied.createdStorageClass, 'the apply had seen the class present').toBe(false);
    expect(storageClass(className), 'the PV that remains keeps its StorageClass').toBeDefined();
    // Put back by the volume that uses it: its own delete removes it later.
    expect(await deleteVolumeManifests(api, arriving.volumeId, arriving.spec)).toContain(
      `StorageClass/${className}`,
    );
    expect(storageClass(className)).toBeUndefined();
  });

  it("is deleted with the last PV of its class, whichever of the service's volumes created it", async () => {
    // Prepare
    const className = uniqueName('efs-last');
    const first = volumeOf(className);
    const second = volumeOf(className);
    await applyVolumeManifests(api, first.input);
    await applyVolumeManifests(api, second.input);

    // Act
    const firstDeleted = await deleteVolumeManifests(api, first.volumeId, first.spec);
    const secondDeleted = await deleteVolumeManifests(api, second.volumeId, second.spec);

    // Assess
    expect(firstDeleted).not.toContain(`StorageClass/${className}`);
    expect(secondDeleted).toContain(`StorageClass/${className}`);
    expect(storageClass(className)).toBeUndefined();
  });
});
