import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../local/kube-emulator/objects.ts';
import { parseQuantity } from '../../local/kube-emulator/quantity.ts';
import { parseResourcePath } from '../../local/kube-emulator/request-path.ts';
import {
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  STORAGE_CLASSES,
} from '../../local/kube-emulator/resources.ts';
import { parseFieldSelector, parseLabelSelector } from '../../local/kube-emulator/selectors.ts';
import { humanDuration } from '../../local/kube-emulator/table.ts';

describe('parseResourcePath', () => {
  it('tells collections, objects, namespaces and subresources apart', () => {
    expect(parseResourcePath('/api/v1/persistentvolumeclaims')).toEqual({
      resource: PERSISTENT_VOLUME_CLAIMS,
    });
    expect(parseResourcePath('/api/v1/namespaces/team/persistentvolumeclaims/data')).toEqual({
      resource: PERSISTENT_VOLUME_CLAIMS,
      namespace: 'team',
      name: 'data',
    });
    expect(parseResourcePath('/api/v1/namespaces/team')).toEqual({
      resource: NAMESPACES,
      name: 'team',
    });
    expect(parseResourcePath('/api/v1/namespaces/team/status')).toEqual({
      resource: NAMESPACES,
      name: 'team',
      subresource: 'status',
    });
    expect(parseResourcePath('/api/v1/persistentvolumes/pv1')).toEqual({
      resource: PERSISTENT_VOLUMES,
      name: 'pv1',
    });
    expect(parseResourcePath('/apis/storage.k8s.io/v1/storageclasses/efs-sc')).toEqual({
      resource: STORAGE_CLASSES,
      name: 'efs-sc',
    });
  });

  it('rejects URLs of resources the server does not have or in the wrong scope', () => {
    for (const path of [
      '/api/v1/secrets',
      '/api/v1/persistentvolumeclaims/data',
      '/apis/storage.k8s.io/v1/namespaces/team/storageclasses',
      '/apis/apps/v1/deployments',
      '/version',
    ]) {
      expect(parseResourcePath(path), path).toBeUndefined();
    }
  });
});

describe('selectors', () => {
  const object = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'team', labels },
    status: { phase: 'Bound' },
  });

  it('match labels by equality, inequality, existence and sets', () => {
    const claim = object({ app: 'web', tier: 'db' });

    expect(parseLabelSelector('app=web,tier==db')(claim)).toBe(true);
    expect(parseLabelSelector('app!=web')(claim)).toBe(false);
    expect(parseLabelSelector('tier,!missing')(claim)).toBe(true);
    expect(parseLabelSelector('app in (web, api),tier notin (cache)')(claim)).toBe(true);
    expect(parseLabelSelector('')(claim)).toBe(true);
  });

  it('match fields by dotted path', () => {
    const claim = object({});

    expect(parseFieldSelector('metadata.name=data,metadata.namespace==team')(claim)).toBe(true);
    expect(parseFieldSelector('status.phase!=Bound')(claim)).toBe(false);
  });
});

describe('parseQuantity', () => {
  it('reads binary, decimal and exponent suffixes', () => {
    expect(parseQuantity('5Gi')).toBe(5 * 2 ** 30);
    expect(parseQuantity('500M')).toBe(500e6);
    expect(parseQuantity('1.5Ki')).toBe(1536);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('5 Gi')).toBeUndefined();
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('humanDuration', () => {
  it('prints ages as kubectl does', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(45 * 60_000)).toBe('45m');
    expect(humanDuration(5 * 3_600_000 + 60_000)).toBe('5h1m');
    expect(humanDuration(3 * 86_400_000)).toBe('3d');
  });
});
