import { describe, expect, it } from 'vitest';
import {
  matchesPool,
  POOL_FILE_SYSTEM,
  poolSize,
  warmPoolSizes,
} from '../../functions/lib/volume/pool.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';

const plain = { clusterName: 'demo', namespace: 'team-a', name: 'data' };

describe('which requests a warm pool member serves', () => {
  it('serves a plain request, whose defaults are what every member is made with', () => {
    // Act
    const spec = validateVolumeRequest(plain);

    // Assess
    expect(matchesPool(spec, POOL_FILE_SYSTEM)).toBe(true);
  });

  it.each([
    ['another performance mode', { performanceMode: 'maxIO' }],
    ['another throughput mode', { throughputMode: 'bursting' }],
    [
      'a provisioned throughput',
      { throughputMode: 'provisioned', provisionedThroughputInMibps: 8 },
    ],
    ['no backup', { backup: false }],
    [
      'a shared file system',
      { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: { path: '/demo/team-a/data' } },
    ],
  ])('does not serve a request asking for %s', (_, fields) => {
    // Act
    const spec = validateVolumeRequest({ ...plain, ...fields });

    // Assess
    expect(matchesPool(spec, POOL_FILE_SYSTEM)).toBe(false);
  });

  it('still serves a request that differs only in what the access point and manifests carry', () => {
    // Act
    const spec = validateVolumeRequest({
      ...plain,
      posixUser: { uid: 2000, gid: 2000 },
      reclaimPolicy: 'Delete',
      capacity: '20Gi',
      tags: { team: 'a' },
    });

    // Assess
    expect(matchesPool(spec, POOL_FILE_SYSTEM)).toBe(true);
  });
});

describe('WARM_POOL', () => {
  it('reads sizes per cluster; unset keeps no pool; a cluster it does not name keeps none', () => {
    // Act
    const sizes = warmPoolSizes('{"demo": 2, "prod": 0}');

    // Assess
    expect(sizes).toEqual({ demo: 2, prod: 0 });
    expect(warmPoolSizes(undefined)).toEqual({});
    expect([poolSize(sizes, 'demo'), poolSize(sizes, 'prod'), poolSize(sizes, 'other')]).toEqual([
      2, 0, 0,
    ]);
  });

  it.each(['[2]', '{"demo": -1}', '{"demo": 1.5}', '{"demo": "2"}', 'null'])(
    'refuses %s, naming the setting',
    (raw) => {
      // Act / Assess
      expect(() => warmPoolSizes(raw)).toThrow(/WARM_POOL must be an object of whole numbers/);
    },
  );
});
