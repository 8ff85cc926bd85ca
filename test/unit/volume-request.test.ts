import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidVolumeRequestError } from '../../functions/lib/errors.ts';
import { type VolumeRequest, validateVolumeRequest } from '../../functions/lib/volume/request.ts';

const minimal = { clusterName: 'demo', namespace: 'team-a', name: 'shared-data' } as const;

/** Runs the validation and hands back the error it threw, failing the test if it threw none. */
function refusal(input: unknown): InvalidVolumeRequestError {
  try {
    validateVolumeRequest(input);
  } catch (error) {
    if (error instanceof InvalidVolumeRequestError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

function withoutKey(key: keyof typeof minimal): Record<string, string> {
  const { [key]: _dropped, ...rest } = minimal;
  return rest;
}

const fortyOneTags = Object.fromEntries(
  Array.from({ length: 41 }, (_, index) => [`tag-${index}`, 'x']),
);

describe('validateVolumeRequest', () => {
  it('fills in every default from openapi.yaml for a minimal request', () => {
    // Prepare
    const input = { ...minimal };

    // Act
    const spec = validateVolumeRequest(input);

    // Assess
    expect(spec).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'shared-data',
      posixUser: { uid: 1000, gid: 1000, secondaryGids: [] },
      rootDirectory: { path: '/team-a/shared-data', permissions: '0750' },
      performanceMode: 'generalPurpose',
      throughputMode: 'elastic',
      capacity: '5Gi',
      reclaimPolicy: 'Retain',
      storageClassName: 'efs-sc',
      backup: true,
      tags: {},
      dryRun: false,
    });
    expect(spec).not.toHaveProperty('provisionedThroughputInMibps');
    expect(spec).not.toHaveProperty('fileSystemId');
  });

  it('keeps every field the caller gave', () => {
    // Prepare
    const input: VolumeRequest = {
      ...minimal,
      posixUser: { uid: 2000, gid: 3000, secondaryGids: [4000, 5000] },
      rootDirectory: { path: '/exports/data', permissions: '0700' },
      performanceMode: 'maxIO',
      throughputMode: 'provisioned',
      provisionedThroughputInMibps: 128,
      capacity: '20Ti',
      reclaimPolicy: 'Delete',
      storageClassName: 'efs.shared',
      backup: false,
      tags: { team: 'storage' },
      dryRun: true,
    };

    // Act
    const spec = validateVolumeRequest(input);

    // Assess
    expect(spec).toEqual(input);
  });

  it('keeps the fileSystemId of an existing file system', () => {
    // Prepare
    const input = { ...minimal, fileSystemId: 'fs-0123456789abcdef0' };

    // Act
    const spec = validateVolumeRequest(input);

    // Assess
    expect(spec.fileSystemId).toBe('fs-0123456789abcdef0');
  });

  it("puts a volume on a shared file system under its cluster's and namespace's directory by default", () => {
    // Act
    const shared = validateVolumeRequest({ ...minimal, fileSystemId: 'fs-0123456789abcdef0' });
    const own = validateVolumeRequest(minimal);

    // Assess
    expect(shared.rootDirectory.path).toBe(
      `/${minimal.clusterName}/${minimal.namespace}/${minimal.name}`,
    );
    expect(own.rootDirectory.path).toBe(`/${minimal.namespace}/${minimal.name}`);
  });

  it('takes reattach only with a shared file system', () => {
    // Act
    const shared = validateVolumeRequest({
      ...minimal,
      fileSystemId: 'fs-0123456789abcdef0',
      reattach: true,
    });
    const refused = () => validateVolumeRequest({ ...minimal, reattach: true });

    // Assess
    expect(shared.reattach).toBe(true);
    expect(refused).toThrow(/reattach applies to a shared file system/);
  });

  it.each([
    ['750', '0750'],
    ['0700', '0700'],
    ['755', '0755'],
  ])('writes permissions %s as the four-digit mode %s', (permissions, expected) => {
    // Prepare
    const input = { ...minimal, rootDirectory: { permissions } };

    // Act
    const spec = validateVolumeRequest(input);

    // Assess
    expect(spec.rootDirectory).toEqual({ path: '/team-a/shared-data', permissions: expected });
  });

  it.each<[string, unknown, string]>([
    ['a body that is not an object', 'demo', '(body)'],
    ['a body that is null', null, '(body)'],
    ['a body that is an array', [minimal], '(body)'],
    ['no clusterName', withoutKey('clusterName'), 'clusterName'],
    ['no namespace', withoutKey('namespace'), 'namespace'],
    ['no name', withoutKey('name'), 'name'],
    ['an unknown top-level field', { ...minimal, size: '5Gi' }, 'size'],
    [
      'an unknown posixUser field',
      { ...minimal, posixUser: { uid: 1, gid: 1, shell: 'sh' } },
      'posixUser.shell',
    ],
    [
      'an unknown rootDirectory field',
      { ...minimal, rootDirectory: { owner: 1 } },
      'rootDirectory.owner',
    ],
    ['a posixUser without gid', { ...minimal, posixUser: { uid: 1000 } }, 'posixUser.gid'],
    ['a clusterName that is a number', { ...minimal, clusterName: 42 }, 'clusterName'],
    ['a dryRun that is a string', { ...minimal, dryRun: 'yes' }, 'dryRun'],
    [
      'a uid that is not an integer',
      { ...minimal, posixUser: { uid: 1.5, gid: 1 } },
      'posixUser.uid',
    ],
    ['a negative gid', { ...minimal, posixUser: { uid: 1, gid: -1 } }, 'posixUser.gid'],
    ['an uppercase namespace', { ...minimal, namespace: 'Team-A' }, 'namespace'],
    ['a namespace starting with a dash', { ...minimal, namespace: '-team' }, 'namespace'],
    ['a namespace with a dot', { ...minimal, namespace: 'team.a' }, 'namespace'],
    ['a name of 64 characters', { ...minimal, name: 'a'.repeat(64) }, 'name'],
    ['a name ending with a dash', { ...minimal, name: 'data-' }, 'name'],
    ['an empty name', { ...minimal, name: '' }, 'name'],
    ['a clusterName with a space', { ...minimal, clusterName: 'demo cluster' }, 'clusterName'],
    ['a clusterName with a dot', { ...minimal, clusterName: 'demo.cluster' }, 'clusterName'],
    [
      'a clusterName starting with an underscore',
      { ...minimal, clusterName: '_demo' },
      'clusterName',
    ],
    [
      'a path with a ".." segment',
      { ...minimal, rootDirectory: { path: '/data/../etc' } },
      'rootDirectory.path',
    ],
    [
      'a path that is ".." alone',
      { ...minimal, rootDirectory: { path: '/..' } },
      'rootDirectory.path',
    ],
    [
      'a path with a "." segment',
      { ...minimal, rootDirectory: { path: '/data/./x' } },
      'rootDirectory.path',
    ],
    ['a path with "//"', { ...minimal, rootDirectory: { path: '/data//x' } }, 'rootDirectory.path'],
    [
      'a path with a trailing "/"',
      { ...minimal, rootDirectory: { path: '/data/' } },
      'rootDirectory.path',
    ],
    ['the path "/" alone', { ...minimal, rootDirectory: { path: '/' } }, 'rootDirectory.path'],
    ['a relative path', { ...minimal, rootDirectory: { path: 'data/x' } }, 'rootDirectory.path'],
    [
      'a path of 101 characters',
      { ...minimal, rootDirectory: { path: `/${'a'.repeat(100)}` } },
      'rootDirectory.path',
    ],
    [
      'permissions "999"',
      { ...minimal, rootDirectory: { permissions: '999' } },
      'rootDirectory.permissions',
    ],
    [
      'permissions "07777"',
      { ...minimal, rootDirectory: { permissions: '07777' } },
      'rootDirectory.permissions',
    ],
    [
      'permissions as a number',
      { ...minimal, rootDirectory: { permissions: 750 } },
      'rootDirectory.permissions',
    ],
    ['uid 0', { ...minimal, posixUser: { uid: 0, gid: 1000 } }, 'posixUser.uid'],
    ['gid 0', { ...minimal, posixUser: { uid: 1000, gid: 0 } }, 'posixUser.gid'],
    [
      'secondaryGids with 0',
      { ...minimal, posixUser: { uid: 1, gid: 1, secondaryGids: [5, 0] } },
      'posixUser.secondaryGids',
    ],
    [
      'duplicate secondaryGids',
      { ...minimal, posixUser: { uid: 1, gid: 1, secondaryGids: [5, 5] } },
      'posixUser.secondaryGids',
    ],
    [
      '17 secondaryGids',
      {
        ...minimal,
        posixUser: { uid: 1, gid: 1, secondaryGids: Array.from({ length: 17 }, (_, i) => i + 1) },
      },
      'posixUser.secondaryGids',
    ],
    [
      'provisioned throughput without Mibps',
      { ...minimal, throughputMode: 'provisioned' },
      'provisionedThroughputInMibps',
    ],
    [
      'Mibps without a throughput mode',
      { ...minimal, provisionedThroughputInMibps: 100 },
      'provisionedThroughputInMibps',
    ],
    [
      'Mibps with bursting throughput',
      { ...minimal, throughputMode: 'bursting', provisionedThroughputInMibps: 100 },
      'provisionedThroughputInMibps',
    ],
    [
      'Mibps of 0',
      { ...minimal, throughputMode: 'provisioned', provisionedThroughputInMibps: 0 },
      'provisionedThroughputInMibps',
    ],
    ['an unknown throughputMode', { ...minimal, throughputMode: 'turbo' }, 'throughputMode'],
    ['an unknown performanceMode', { ...minimal, performanceMode: 'fast' }, 'performanceMode'],
    [
      'a fileSystemId with a performanceMode',
      { ...minimal, fileSystemId: 'fs-0123456789abcdef0', performanceMode: 'maxIO' },
      'performanceMode',
    ],
    [
      'a fileSystemId with a throughputMode',
      { ...minimal, fileSystemId: 'fs-0123456789abcdef0', throughputMode: 'elastic' },
      'throughputMode',
    ],
    [
      'a fileSystemId with uppercase hex',
      { ...minimal, fileSystemId: 'fs-0123456789ABCDEF' },
      'fileSystemId',
    ],
    [
      'an access point id as fileSystemId',
      { ...minimal, fileSystemId: 'fsap-0123456789abcdef0' },
      'fileSystemId',
    ],
    ['a fileSystemId that is too short', { ...minimal, fileSystemId: 'fs-0123' }, 'fileSystemId'],
    ['a tag key starting with "aws:"', { ...minimal, tags: { 'aws:team': 'storage' } }, 'tags'],
    ['41 tags', { ...minimal, tags: fortyOneTags }, 'tags'],
    ['a tag value of 257 characters', { ...minimal, tags: { team: 'x'.repeat(257) } }, 'tags.team'],
    ['a tag value that is not a string', { ...minimal, tags: { team: 1 } }, 'tags.team'],
    ['reclaimPolicy "Recycle"', { ...minimal, reclaimPolicy: 'Recycle' }, 'reclaimPolicy'],
    ['a capacity in gigabytes', { ...minimal, capacity: '5GB' }, 'capacity'],
    ['a capacity of zero', { ...minimal, capacity: '0Gi' }, 'capacity'],
    [
      'an uppercase storageClassName',
      { ...minimal, storageClassName: 'EFS_SC' },
      'storageClassName',
    ],
  ])('refuses %s, naming the field', (_what, input, field) => {
    // Prepare: the input above

    // Act
    const error = refusal(input);

    // Assess
    expect(error.name).toBe('InvalidVolumeRequestError');
    expect(error.problems.map((problem) => problem.field)).toContain(field);
    expect(error.message).toContain(field);
  });

  it('lists every problem of a request at once', () => {
    // Prepare
    const input = { ...minimal, namespace: 'Team', capacity: '5GB', reclaimPolicy: 'Recycle' };

    // Act
    const error = refusal(input);

    // Assess
    expect(error.problems.map((problem) => problem.field).sort()).toEqual([
      'capacity',
      'namespace',
      'reclaimPolicy',
    ]);
  });

  it('allows a root POSIX user when the service is configured to', () => {
    // Prepare
    const input = { ...minimal, posixUser: { uid: 0, gid: 0, secondaryGids: [0] } };

    // Act
    const spec = validateVolumeRequest(input, { allowRootPosixUser: true });

    // Assess
    expect(spec.posixUser).toEqual({ uid: 0, gid: 0, secondaryGids: [0] });
  });

  it('never hands EFS a default root directory longer than its 100-character limit', () => {
    // Prepare: both names at the DNS-1123 maximum, so `/<namespace>/<name>` is 128 characters
    const input = { ...minimal, namespace: 'n'.repeat(63), name: 'v'.repeat(63) };

    // Act
    let outcome: unknown;
    try {
      outcome = validateVolumeRequest(input).rootDirectory.path.length;
    } catch (error) {
      outcome = error;
    }

    // Assess: either refused before anything is created, or given a path EFS accepts
    if (outcome instanceof InvalidVolumeRequestError) {
      expect(outcome.problems.map((problem) => problem.field)).toContain('rootDirectory.path');
    } else {
      expect(outcome).toBeLessThanOrEqual(100);
    }
  });

  it.each([
    ['more than four directories', '/a/b/c/d/e'],
    ['a directory starting with a dot', '/team-a/.cache'],
  ])('refuses a root directory EFS would refuse: %s', (_what, path) => {
    // Prepare: EFS answers such a path only at CreateAccessPoint, after the file system and
    // mount targets exist; the request promises to refuse it before anything is created.
    const input = { ...minimal, rootDirectory: { path } };

    // Act
    const error = refusal(input);

    // Assess
    expect(error.problems.map((problem) => problem.field)).toContain('rootDirectory.path');
  });

  it('either returns a spec or throws InvalidVolumeRequestError for any JSON value', () => {
    // Prepare: arbitrary JSON, and objects made of the known fields with arbitrary values
    const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, fc.jsonValue());
    const nearlyValid = fc.record(
      {
        clusterName: field(fc.constant('demo')),
        namespace: field(fc.constant('team-a')),
        name: field(fc.constant('data')),
        posixUser: field(fc.record({ uid: fc.nat(), gid: fc.nat() })),
        rootDirectory: field(fc.record({ path: fc.string(), permissions: fc.string() })),
        throughputMode: field(fc.constantFrom('elastic', 'bursting', 'provisioned')),
        provisionedThroughputInMibps: field(fc.integer({ min: 1, max: 10240 })),
        fileSystemId: field(fc.constant('fs-0123456789abcdef0')),
        performanceMode: field(fc.constantFrom('generalPurpose', 'maxIO')),
        tags: field(fc.dictionary(fc.string(), fc.string())),
      },
      { requiredKeys: [] },
    );

    // Act and Assess
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearlyValid), (input) => {
        try {
          const spec = validateVolumeRequest(input);
          expect(typeof spec.clusterName).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidVolumeRequestError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts every request that follows openapi.yaml and the documented rules', () => {
    // Prepare
    const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    // EFS takes at most four directories, none starting with a dot (API_RootDirectory.html).
    const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,23}$/);
    const path = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((parts) => `/${parts.join('/')}`)
      .filter((candidate) => candidate.length <= 100);
    const id = fc.integer({ min: 1, max: 4294967295 });
    const throughput = fc.oneof(
      fc.record({
        throughputMode: fc.constant('provisioned' as const),
        provisionedThroughputInMibps: fc.double({ min: 1, max: 10240, noNaN: true }),
        performanceMode: fc.constantFrom('generalPurpose' as const, 'maxIO' as const),
      }),
      fc.record(
        {
          throughputMode: fc.constantFrom('elastic' as const, 'bursting' as const),
          performanceMode: fc.constantFrom('generalPurpose' as const, 'maxIO' as const),
        },
        { requiredKeys: [] },
      ),
      fc.record({ fileSystemId: fc.stringMatching(/^fs-[0-9a-f]{8,40}$/) }),
    );
    const tagKey = fc
      .stringMatching(/^[A-Za-z0-9 _.:/=+@-]{1,127}$/)
      .filter((key) => !key.toLowerCase().startsWith('aws:') && key !== '__proto__');
    const request = fc
      .tuple(
        fc.record({
          clusterName: fc.stringMatching(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/),
          namespace: dnsLabel,
          name: dnsLabel,
        }),
        fc.record(
          {
            posixUser: fc.record(
              {
                uid: id,
                gid: id,
                secondaryGids: fc.uniqueArray(id, { maxLength: 16 }),
              },
              { requiredKeys: ['uid', 'gid'] },
            ),
            rootDirectory: fc.record(
              { path, permissions: fc.stringMatching(/^0?[0-7]{3}$/) },
              { requiredKeys: [] },
            ),
            capacity: fc.stringMatching(/^[1-9][0-9]{0,5}(Mi|Gi|Ti|Pi)$/),
            reclaimPolicy: fc.constantFrom('Retain' as const, 'Delete' as const),
            storageClassName: dnsLabel,
            tags: fc.dictionary(tagKey, fc.stringMatching(/^[A-Za-z0-9 _.:/=+@-]{0,256}$/), {
              maxKeys: 40,
            }),
            dryRun: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        throughput,
      )
      .map(([names, options, modes]): VolumeRequest => ({ ...names, ...options, ...modes }))
      // The default root directory is `/<namespace>/<name>`; EFS paths end at 100 characters.
      .filter(
        (candidate) =>
          candidate.rootDirectory?.path !== undefined ||
          candidate.namespace.length + candidate.name.length + 2 <= 100,
      );

    // Act and Assess
    fc.assert(
      fc.property(request, (input) => {
        const spec = validateVolumeRequest(input);
        expect(spec.clusterName).toBe(input.clusterName);
        expect(spec.namespace).toBe(input.namespace);
        expect(spec.name).toBe(input.name);
        expect(spec.rootDirectory.permissions).toMatch(/^0[0-7]{3}$/);
        expect(spec.rootDirectory.path.length).toBeLessThanOrEqual(100);
      }),
      { numRuns: 500 },
    );
  });
});

describe('tag keys', () => {
  it('refuses __proto__, which the DynamoDB marshaller would turn into a prototype', () => {
    expect(() =>
      validateVolumeRequest(
        JSON.parse('{"clusterName":"c","namespace":"n","name":"v","tags":{"__proto__":"x"}}'),
      ),
    ).toThrow(/tags/);
  });
});
