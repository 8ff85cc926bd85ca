import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessPointOnlyPolicy } from '../../functions/lib/aws/file-system-policy.ts';
import { fileSystemPolicyGaps } from '../../functions/lib/aws/file-system-policy-gaps.ts';

const FILE_SYSTEM_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0';
const OTHER_FILE_SYSTEM_ARN =
  'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0fedcba9876543210';
const ANY_ACCESS_POINT = 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-*';

/** The EFS console's "Enforce in-transit encryption for all clients" statement. */
const REQUIRE_TLS = {
  Sid: 'RequireTls',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: '*',
  Resource: FILE_SYSTEM_ARN,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

/** Mounting and writing only through an access point of the file system. */
const MOUNT_THROUGH_ACCESS_POINTS = {
  Sid: 'MountThroughAccessPoints',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
  Resource: FILE_SYSTEM_ARN,
  Condition: { ArnLike: { 'elasticfilesystem:AccessPointArn': ANY_ACCESS_POINT } },
};

function policyOf(...statements: readonly unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function gapsOf(...statements: readonly unknown[]): readonly string[] {
  return fileSystemPolicyGaps(policyOf(...statements), FILE_SYSTEM_ARN);
}

describe('fileSystemPolicyGaps', () => {
  describe('closed policies', () => {
    it("passes the service's own access-point-only policy, with and without root access points", () => {
      // Prepare
      const plain = accessPointOnlyPolicy(FILE_SYSTEM_ARN);
      const withRoot = accessPointOnlyPolicy(FILE_SYSTEM_ARN, [
        'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
      ]);

      // Act
      const gaps = [plain, withRoot].map((policy) =>
        fileSystemPolicyGaps(JSON.stringify(policy), FILE_SYSTEM_ARN),
      );

      // Assess
      expect(gaps).toEqual([[], []]);
    });

    it("passes a careful owner's policy written in other forms: Principal *, a lone statement, wildcard actions", () => {
      // Prepare: one owner writes Statement as an object, another uses elasticfilesystem:* and
      // StringLike, and lets a root access point of its own have root
      const lone = JSON.stringify({
        Version: '2012-10-17',
        Statement: { ...REQUIRE_TLS, Principal: '*', Action: 'elasticfilesystem:*' },
      });
      const owners = policyOf(
        {
          Effect: 'Deny',
          Principal: '*',
          Action: ['elasticfilesystem:Client*'],
          Resource: [OTHER_FILE_SYSTEM_ARN, FILE_SYSTEM_ARN],
          Condition: { Bool: { 'aws:SecureTransport': false } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: ['*'] },
          Action: 'elasticfilesystem:Client*',
          Resource: FILE_SYSTEM_ARN,
          Condition: {
            StringLike: { 'elasticfilesystem:accesspointarn': `${ANY_ACCESS_POINT}` },
            Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:role/backup' },
          Action: 'elasticfilesystem:ClientRootAccess',
          Resource: FILE_SYSTEM_ARN,
        },
      );

      // Act
      const gaps = [lone, owners].map((policy) => fileSystemPolicyGaps(policy, FILE_SYSTEM_ARN));

      // Assess
      expect(gaps).toEqual([[], []]);
    });

    it('passes a TLS Deny written with NotAction that spares no client action', () => {
      // Act
      const gaps = gapsOf(
        { ...REQUIRE_TLS, Action: undefined, NotAction: 'elasticfilesystem:DescribeMountTargets' },
        MOUNT_THROUGH_ACCESS_POINTS,
      );

      // Assess
      expect(gaps).toEqual([]);
    });

    it('lets an unconditional Deny for everyone outweigh an open Allow (Deny wins)', () => {
      // Act
      const gaps = gapsOf(
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'elasticfilesystem:Client*',
          Resource: FILE_SYSTEM_ARN,
        },
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
      );

      // Assess
      expect(gaps).toEqual([]);
    });
  });

  describe('open policies', () => {
    it('refuses a file system without a policy: EFS then lets every client in as root', () => {
      // Act
      const gaps = fileSystemPolicyGaps(undefined, FILE_SYSTEM_ARN);

      // Assess
      expect(gaps).toEqual([expect.stringMatching(/no file system policy.*root, as root/)]);
    });

    it('refuses a policy that opens everything to everyone, saying TLS, root and mount', () => {
      // Act
      const gaps = gapsOf({
        Sid: 'Open',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'elasticfilesystem:*',
        Resource: FILE_SYSTEM_ARN,
      });

      // Assess
      expect(gaps).toEqual([
        expect.stringMatching(/no statement denies .*aws:SecureTransport/),
        expect.stringMatching(/statement "Open" allows ClientRootAccess to every client/),
        expect.stringMatching(/statement "Open" allows ClientMount to every client/),
      ]);
    });

    it('refuses a policy confined to access points that does not require TLS', () => {
      // Act
      const gaps = gapsOf(MOUNT_THROUGH_ACCESS_POINTS);

      // Assess
      expect(gaps).toEqual([expect.stringMatching(/without TLS/)]);
    });

    it('refuses a policy that allows root access to everyone without an access point', () => {
      // Act
      const gaps = gapsOf(REQUIRE_TLS, MOUNT_THROUGH_ACCESS_POINTS, {
        Effect: 'Allow',
        Principal: '*',
        Action: ['elasticfilesystem:ClientRootAccess'],
        Resource: FILE_SYSTEM_ARN,
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      });

      // Assess
      expect(gaps).toEqual([
        expect.stringMatching(/^statement 3 allows ClientRootAccess to every client/),
      ]);
    });

    it('refuses an Allow of ClientMount to everyone without an access point (mounting the root)', () => {
      // Act
      const gaps = gapsOf(REQUIRE_TLS, {
        ...MOUNT_THROUGH_ACCESS_POINTS,
        Condition: undefined,
      });

      // Assess
      expect(gaps).toEqual([
        expect.stringMatching(/allows ClientMount to every client .*mount the file system root/),
      ]);
    });

    it.each([
      ['Action *', { Action: '*' }],
      ['elasticfilesystem:Client*', { Action: 'elasticfilesystem:Client*' }],
      ['a ? wildcard', { Action: 'elasticfilesystem:ClientRoot?ccess' }],
      ['another case', { Action: 'ELASTICFILESYSTEM:clientrootaccess' }],
      ['NotAction', { Action: undefined, NotAction: ['elasticfilesystem:ClientWrite'] }],
      ['Principal {"AWS": [..., "*"]}', { Principal: { AWS: ['arn:aws:iam::1:root', '*'] } }],
      ['NotPrincipal', { Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }],
      ['no Principal', { Principal: undefined }],
      ['a Resource of another file system', { Resource: OTHER_FILE_SYSTEM_ARN }],
    ])('counts a root grant written with %s', (_, form) => {
      // Act
      const gaps = gapsOf(REQUIRE_TLS, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'elasticfilesystem:ClientRootAccess',
        Resource: FILE_SYSTEM_ARN,
        ...form,
      });

      // Assess
      expect(gaps).toContainEqual(expect.stringMatching(/allows ClientRootAccess to/));
    });

    it.each([
      ['ArnLikeIfExists (true without an access point)', { ArnLikeIfExists: {} }],
      ['StringNotEquals (true without an access point)', { StringNotEquals: {} }],
      ['ForAllValues:StringLike (true without an access point)', { 'ForAllValues:StringLike': {} }],
      ['Null', { Null: {} }],
    ])('does not take %s on AccessPointArn for a confinement', (_, operator) => {
      // Prepare
      const [name = ''] = Object.keys(operator);
      const condition = { [name]: { 'elasticfilesystem:AccessPointArn': ANY_ACCESS_POINT } };

      // Act
      const gaps = gapsOf(REQUIRE_TLS, { ...MOUNT_THROUGH_ACCESS_POINTS, Condition: condition });

      // Assess
      expect(gaps).toEqual([expect.stringMatching(/allows ClientMount to every client/)]);
    });

    it('does not credit a conditional Deny against an open Allow (only an unconditional one wins)', () => {
      // Act
      const gaps = gapsOf(
        REQUIRE_TLS,
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'elasticfilesystem:ClientRootAccess',
          Resource: FILE_SYSTEM_ARN,
          Condition: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } },
        },
        { Effect: 'Allow', Principal: '*', Action: 'elasticfilesystem:ClientRootAccess' },
      );

      // Assess
      expect(gaps).toEqual([expect.stringMatching(/allows ClientRootAccess/)]);
    });

    it.each([
      ['for one principal only', { Principal: { AWS: 'arn:aws:iam::123456789012:role/x' } }],
      ['with NotPrincipal', { Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }],
      ['on another file system', { Resource: OTHER_FILE_SYSTEM_ARN }],
      ['on an ARN that differs in case', { Resource: FILE_SYSTEM_ARN.toUpperCase() }],
      ['with NotResource', { Resource: undefined, NotResource: OTHER_FILE_SYSTEM_ARN }],
      ['on ClientMount only', { Action: 'elasticfilesystem:ClientMount' }],
      [
        'with a NotAction sparing ClientWrite',
        { Action: undefined, NotAction: 'elasticfilesystem:ClientWrite' },
      ],
      [
        'when aws:SecureTransport is true',
        { Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ],
      [
        'with a further condition',
        {
          Condition: {
            Bool: { 'aws:SecureTransport': 'false' },
            IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
          },
        },
      ],
      ['with BoolIfExists', { Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }],
    ])('does not take a TLS Deny %s for requiring TLS', (_, change) => {
      // Act
      const gaps = gapsOf({ ...REQUIRE_TLS, ...change }, MOUNT_THROUGH_ACCESS_POINTS);

      // Assess
      expect(gaps).toEqual([expect.stringMatching(/without TLS/)]);
    });

    it.each([
      ['text that is not JSON', '{"Statement": ['],
      ['JSON that is not an object', '[]'],
      [
        'a statement that is not an object',
        policyOf(REQUIRE_TLS, MOUNT_THROUGH_ACCESS_POINTS, 'x'),
      ],
      [
        'an Effect other than Allow or Deny',
        policyOf(REQUIRE_TLS, MOUNT_THROUGH_ACCESS_POINTS, { ...REQUIRE_TLS, Effect: 'allow' }),
      ],
      [
        'an Allow whose Action cannot be read',
        policyOf(REQUIRE_TLS, { ...MOUNT_THROUGH_ACCESS_POINTS, Action: 42 }),
      ],
      [
        'an Allow whose Condition cannot be read',
        policyOf(REQUIRE_TLS, { ...MOUNT_THROUGH_ACCESS_POINTS, Condition: 'ArnLike' }),
      ],
    ])('refuses a policy with %s, saying so', (_, policy) => {
      // Act
      const gaps = fileSystemPolicyGaps(policy, FILE_SYSTEM_ARN);

      // Assess
      expect(gaps.length).toBeGreaterThan(0);
    });
  });

  it('never calls a closed policy closed once an unconfined Allow of root or mount to everyone is added', () => {
    // Prepare: any way of writing an Allow that reaches ClientMount or ClientRootAccess
    const action = fc.constantFrom(
      '*',
      'elasticfilesystem:*',
      'elasticfilesystem:Client*',
      'elasticfilesystem:ClientMount',
      'elasticfilesystem:ClientRootAccess',
    );
    const principal = fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: ['*'] });
    const unconfined = fc.constantFrom<unknown>(
      undefined,
      {},
      { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      { ArnLikeIfExists: { 'elasticfilesystem:AccessPointArn': ANY_ACCESS_POINT } },
    );
    const closed = accessPointOnlyPolicy(FILE_SYSTEM_ARN);

    // Act + Assess
    fc.assert(
      fc.property(
        fc.array(action, { minLength: 1, maxLength: 3 }),
        principal,
        unconfined,
        fc.nat(closed.Statement.length),
        (actions, who, condition, at) => {
          const statements: unknown[] = [...closed.Statement];
          statements.splice(at, 0, {
            Effect: 'Allow',
            Principal: who,
            Action: actions.length === 1 ? actions[0] : actions,
            Resource: FILE_SYSTEM_ARN,
            ...(condition === undefined ? {} : { Condition: condition }),
          });
          expect(gapsOf(...statements).length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
