import { describe, expect, it } from 'vitest';
import {
  type AccessRule,
  accessPolicyFromEnvironment,
  authorize,
  authorizeDelete,
  authorizeSharedFileSystem,
  type SharedVolumeRequest,
} from '../../functions/lib/service/access-policy.ts';

const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const FS = 'fs-0123456789abcdef0';

function policyOf(...rules: Array<Partial<AccessRule>>) {
  return accessPolicyFromEnvironment(
    JSON.stringify({
      rules: rules.map((rule) => ({ cluster: 'demo', namespaces: ['team-a'], ...rule })),
    }),
  );
}

describe('caller wildcards', () => {
  it('matches a name prefix that ends in a separator, but not a longer team name', () => {
    // Prepare
    const policy = policyOf({ caller: role('team-a-*') });

    // Act / Assess
    expect(authorize(policy, role('team-a-deployer'), 'demo', 'team-a').allowed).toBe(true);
    expect(authorize(policy, role('team-ab-deployer'), 'demo', 'team-a').allowed).toBe(false);
    expect(authorize(policy, role('team-a-'), 'demo', 'team-a').allowed).toBe(false);
  });

  it('matches any role of one account with a whole-segment wildcard, and never a path', () => {
    // Prepare
    const policy = policyOf({ caller: role('*') });

    // Act / Assess
    expect(authorize(policy, role('anything'), 'demo', 'team-a').allowed).toBe(true);
    expect(authorize(policy, `arn:aws:iam::${ACCOUNT}:user/alice`, 'demo', 'team-a').allowed).toBe(
      false,
    );
    expect(authorize(policy, 'arn:aws:iam::999999999999:role/x', 'demo', 'team-a').allowed).toBe(
      false,
    );
  });

  it('matches any account with a wildcard account segment', () => {
    // Prepare
    const policy = policyOf({ caller: 'arn:aws:iam::*:role/deployer' });

    // Act / Assess
    expect(authorize(policy, 'arn:aws:iam::999999999999:role/deployer', 'demo', 'team-a')).toEqual({
      allowed: true,
    });
    expect(
      authorize(policy, 'arn:aws:iam::999999999999:role/deployer-2', 'demo', 'team-a').allowed,
    ).toBe(false);
  });

  it.each([
    [role('team-a*')],
    [role('team-*-deployer')],
    [role('*team')],
    ['arn:aws:iam::1234*:role/x'],
  ])('refuses the ambiguous caller %s when loading', (caller) => {
    expect(() => policyOf({ caller })).toThrow(/rules\[0\]: caller .*whole segment/);
  });

  it('refuses an ambiguous cluster pattern when loading', () => {
    expect(() => policyOf({ caller: '*', cluster: 'prod*' })).toThrow(/cluster .*prod\*/);
  });

  it('keeps a lone * as every caller', () => {
    const policy = policyOf({ caller: '*' });
    expect(authorize(policy, 'events:111111111111:x.y', 'demo', 'team-a').allowed).toBe(true);
  });
});

describe('authorizeDelete', () => {
  const volume = { clusterName: 'demo', namespace: 'team-a', owner: role('team-a-alice') };

  it('lets the owner delete', () => {
    const policy = policyOf({ caller: role('team-a-*') });
    expect(authorizeDelete(policy, role('team-a-alice'), volume)).toEqual({ allowed: true });
  });

  it('refuses a colleague allowed in the namespace, saying who may delete', () => {
    // Prepare
    const policy = policyOf({ caller: role('team-a-*') });

    // Act
    const decision = authorizeDelete(policy, role('team-a-bob'), volume);

    // Assess
    expect(decision).toEqual({
      allowed: false,
      reason: expect.stringMatching(/principal that created .*"deleteOthers": true/),
    });
    expect(authorize(policy, role('team-a-bob'), 'demo', 'team-a').allowed).toBe(true);
  });

  it('lets a rule with deleteOthers delete in its namespaces only', () => {
    // Prepare
    const policy = policyOf(
      { caller: role('team-a-*') },
      { caller: role('platform-admin'), namespaces: ['team-a'], deleteOthers: true },
      { caller: role('platform-admin'), namespaces: ['team-b'] },
    );

    // Act / Assess
    expect(authorizeDelete(policy, role('platform-admin'), volume).allowed).toBe(true);
    expect(
      authorizeDelete(policy, role('platform-admin'), { ...volume, namespace: 'team-b' }).allowed,
    ).toBe(false);
  });

  it('refuses a record without an owner to everyone but deleteOthers rules', () => {
    const policy = policyOf({ caller: '*' });
    expect(
      authorizeDelete(policy, role('x'), { clusterName: 'demo', namespace: 'team-a' }),
    ).toEqual(expect.objectContaining({ allowed: false }));
  });

  it('refuses deleteOthers that is not a boolean when loading', () => {
    expect(() => policyOf({ caller: '*', deleteOthers: 'yes' as unknown as boolean })).toThrow(
      /deleteOthers/,
    );
  });
});

describe('authorizeSharedFileSystem', () => {
  const sharing = {
    caller: role('team-b-*'),
    namespaces: ['team-b'],
    sharedFileSystems: [FS],
    posixIds: { uids: [1000, '2000-2999'], gids: [1000, '3000-3099'] },
  };
  const request: SharedVolumeRequest = {
    clusterName: 'demo',
    namespace: 'team-b',
    fileSystemId: FS,
    rootDirectory: { path: '/demo/team-b/data' },
    posixUser: { uid: 2500, gid: 1000, secondaryGids: [3001] },
  };
  const caller = role('team-b-deployer');

  it("allows a listed file system, granted ids and a root directory under the cluster's and namespace's", () => {
    expect(authorizeSharedFileSystem(policyOf(sharing), caller, request)).toEqual({
      allowed: true,
    });
  });

  it('refuses a file system no rule of the caller lists', () => {
    // Prepare
    const policy = policyOf({ ...sharing, sharedFileSystems: [] });

    // Act
    const decision = authorizeSharedFileSystem(policy, caller, request);

    // Assess
    expect(decision).toEqual({
      allowed: false,
      reason: expect.stringMatching(/fs-0123456789abcdef0 is not shared .*sharedFileSystems/),
    });
  });

  it("refuses a file system another team's rule lists", () => {
    const policy = policyOf({ ...sharing, caller: role('team-a-*'), namespaces: ['team-b'] });
    expect(authorizeSharedFileSystem(policy, caller, request).allowed).toBe(false);
  });

  it.each([
    ['/team-a/shared-data'],
    ['/team-b/data'],
    ['/demo/team-b'],
    ['/demo/team-bb/data'],
    ['/prod/team-b/data'],
    ['/'],
  ])(
    "refuses the root directory %s outside the cluster's and namespace's /demo/team-b/",
    (path) => {
      // Act
      const decision = authorizeSharedFileSystem(policyOf(sharing), caller, {
        ...request,
        rootDirectory: { path },
      });

      // Assess
      expect(decision).toEqual({
        allowed: false,
        reason: expect.stringContaining('outside /demo/team-b/'),
      });
    },
  );

  it('refuses ids the rule does not grant, naming each', () => {
    // Act
    const decision = authorizeSharedFileSystem(policyOf(sharing), caller, {
      ...request,
      posixUser: { uid: 3000, gid: 1000, secondaryGids: [3100] },
    });

    // Assess
    expect(decision).toEqual({
      allowed: false,
      reason: expect.stringMatching(/uid 3000, secondary gid 3100 not granted/),
    });
  });

  it('grants ids from the rule that lists the file system, not from another rule', () => {
    // Prepare
    const policy = policyOf(
      { ...sharing, posixIds: { uids: [1000], gids: [1000] } },
      { caller: role('team-b-*'), namespaces: ['team-b'], posixIds: { uids: [2500], gids: [] } },
    );

    // Act / Assess
    expect(
      authorizeSharedFileSystem(policy, caller, {
        ...request,
        posixUser: { uid: 2500, gid: 1000, secondaryGids: [] },
      }).allowed,
    ).toBe(false);
  });

  it.each([
    [{ sharedFileSystems: [FS] }, /needs "posixIds"/],
    [{ sharedFileSystems: ['fs-nothex!'] }, /list of file system ids/],
    [{ posixIds: { uids: ['3000-2000'], gids: [] } }, /posixIds/],
    [{ posixIds: { uids: [-1], gids: [] } }, /posixIds/],
    [{ posixIds: { uids: [1000] } }, /posixIds/],
  ])('refuses the sharing settings %j when loading', (settings, message) => {
    expect(() => policyOf({ caller: '*', ...(settings as Partial<AccessRule>) })).toThrow(message);
  });
});

describe('event callers', () => {
  it('refuses a rule naming an event source without its account', () => {
    expect(() => policyOf({ caller: 'events:efs-volumes.requests' })).toThrow(
      /events:<account>:<source>/,
    );
  });

  it('matches an event sender by account and source', () => {
    // Prepare
    const policy = policyOf({ caller: `events:${ACCOUNT}:efs-volumes.requests` });

    // Act / Assess
    expect(
      authorize(policy, `events:${ACCOUNT}:efs-volumes.requests`, 'demo', 'team-a').allowed,
    ).toBe(true);
    expect(
      authorize(policy, 'events:999999999999:efs-volumes.requests', 'demo', 'team-a').allowed,
    ).toBe(false);
  });
});
