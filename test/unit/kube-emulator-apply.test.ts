import { describe, expect, it } from 'vitest';
import { serverSideApply } from '../../local/kube-emulator/apply.ts';
import type { KubeObject } from '../../local/kube-emulator/objects.ts';
import { PERSISTENT_VOLUMES } from '../../local/kube-emulator/resources.ts';
import { KubeApiError } from '../../local/kube-emulator/status.ts';

const time = '2026-03-01T12:00:00Z';

function volume(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1', ...(labels ? { labels } : {}) },
    spec,
  };
}

function apply(
  existing: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force = false,
) {
  return serverSideApply({ resource: PERSISTENT_VOLUMES, existing, applied, manager, force, time });
}

describe('serverSideApply', () => {
  it('creates the object and records the manager as owner of exactly the applied fields', () => {
    const created = apply(
      undefined,
      volume({ capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany'] }),
      'a',
    );

    expect(created.spec).toEqual({ capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany'] });
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'a',
        operation: 'Apply',
        apiVersion: 'v1',
        time,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:capacity': { 'f:storage': {} }, 'f:accessModes': {} } },
      },
    ]);
  });

  it('merges maps recursively and replaces lists', () => {
    const first = apply(
      undefined,
      volume({ accessModes: ['ReadWriteOnce'], csi: { driver: 'efs.csi.aws.com' } }),
      'a',
    );

    const second = apply(
      first,
      volume({ accessModes: ['ReadWriteMany'], csi: { volumeHandle: 'fs-1' } }),
      'b',
      true,
    );

    expect(second.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1' },
    });
  });

  it("refuses to change another manager's field without force, naming field and manager", () => {
    const first = apply(undefined, volume({ capacity: { storage: '5Gi' } }), 'efs-volumes');

    const attempt = () => apply(first, volume({ capacity: { storage: '10Gi' } }), 'other');

    expect(attempt).toThrow(KubeApiError);
    expect(attempt).toThrow(
      'Apply failed with 1 conflict: conflict with "efs-volumes" using v1: .spec.capacity.storage',
    );
  });

  it('takes the field over with force, so the previous owner loses it', () => {
    const first = apply(
      undefined,
      volume({ capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany'] }),
      'a',
    );

    const forced = apply(first, volume({ capacity: { storage: '10Gi' } }), 'b', true);

    expect(forced.spec).toEqual({ capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany'] });
    expect(forced.metadata.managedFields?.map((entry) => [entry.manager, entry.fieldsV1])).toEqual([
      ['a', { 'f:spec': { 'f:accessModes': {} } }],
      ['b', { 'f:spec': { 'f:capacity': { 'f:storage': {} } } }],
    ]);
  });

  it('shares ownership without conflict when another manager applies the same value', () => {
    const first = apply(undefined, volume({ storageClassName: 'efs-sc' }), 'a');

    const shared = apply(first, volume({ storageClassName: 'efs-sc' }), 'b');

    expect(shared.metadata.managedFields?.map((entry) => entry.manager)).toEqual(['a', 'b']);
  });

  it('removes fields the manager stops applying unless another manager owns them', () => {
    const first = apply(
      undefined,
      volume({ storageClassName: 'efs-sc', mountOptions: ['tls'] }, { team: 'x', tier: 'y' }),
      'a',
    );
    const shared = apply(first, volume({}, { tier: 'y' }), 'b');

    const reapplied = apply(shared, volume({ storageClassName: 'efs-sc' }), 'a');

    expect(reapplied.spec).toEqual({ storageClassName: 'efs-sc' });
    expect(reapplied.metadata.labels).toEqual({ tier: 'y' });
  });

  it('keeps server-side metadata and status of the stored object', () => {
    const stored: KubeObject = {
      ...apply(undefined, volume({ storageClassName: 'efs-sc' }), 'a'),
      status: { phase: 'Bound' },
    };
    stored.metadata.uid = 'uid-1';

    const next = apply(stored, volume({ storageClassName: 'efs-sc', mountOptions: ['tls'] }), 'a');

    expect(next.metadata.uid).toBe('uid-1');
    expect(next.status).toEqual({ phase: 'Bound' });
  });
});
