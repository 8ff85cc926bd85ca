import { describe, expect, it } from 'vitest';
import { callerOf } from '../../functions/lib/http/http.ts';
import { ProblemError } from '../../functions/lib/problems/problem.ts';
import {
  accessPolicyFromEnvironment,
  authorize,
} from '../../functions/lib/service/access-policy.ts';
import { callerPrincipal, principalPattern } from '../../functions/lib/service/caller-principal.ts';
import { iamIdentity } from '../../local/api-server.ts';

const ACCOUNT = '123456789012';

/** A REST API proxy event as API Gateway sends it for a SigV4 caller. */
function eventFrom(callerArn: string) {
  return {
    requestContext: { identity: iamIdentity(callerArn, '10.0.0.1', 'aws-cli/2') },
  } as unknown as Parameters<typeof callerOf>[0];
}

describe('callerPrincipal', () => {
  it.each([
    [
      `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run-42`,
      { arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, kind: 'role', session: 'ci-run-42' },
    ],
    [
      `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123abcd/jane@example.com`,
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_0123abcd`,
        kind: 'role',
        session: 'jane@example.com',
      },
    ],
    [
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, kind: 'user' },
    ],
    [
      `arn:aws:iam::${ACCOUNT}:user/division/team/alice`,
      { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, kind: 'user' },
    ],
    [
      `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      { arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`, kind: 'federated-user', session: 'bob' },
    ],
    [`arn:aws:iam::${ACCOUNT}:root`, { arn: `arn:aws:iam::${ACCOUNT}:root`, kind: 'root' }],
    [
      `arn:aws-cn:sts::${ACCOUNT}:assumed-role/deployer/s`,
      { arn: `arn:aws-cn:iam::${ACCOUNT}:role/deployer`, kind: 'role', session: 's' },
    ],
  ])('reads %s as its principal', (arn, expected) => {
    // Act
    const principal = callerPrincipal(arn);

    // Assess
    expect(principal).toMatchObject({ ...expected, account: ACCOUNT });
  });

  it.each([
    'anonymous',
    '',
    'arn:aws:s3:::bucket',
    `arn:aws:sts::${ACCOUNT}:assumed-role/only-role`,
    `arn:aws:iam::${ACCOUNT}:group/admins`,
    `arn:aws:iam::12345:user/short-account`,
  ])('refuses %j, which is no IAM caller', (arn) => {
    expect(callerPrincipal(arn)).toBeUndefined();
  });
});

describe('callerOf (API Gateway IAM identities)', () => {
  it('gives the role, not the session, for an assumed-role caller', () => {
    // Prepare
    const first = eventFrom(`arn:aws:sts::${ACCOUNT}:assumed-role/team-a-deployer/session-1`);
    const second = eventFrom(`arn:aws:sts::${ACCOUNT}:assumed-role/team-a-deployer/session-2`);

    // Act / Assess
    expect(callerOf(first)).toBe(`arn:aws:iam::${ACCOUNT}:role/team-a-deployer`);
    expect(callerOf(second)).toBe(callerOf(first));
  });

  it('answers 403 when the request carries no IAM identity', () => {
    // Prepare
    const event = { requestContext: { identity: { userArn: null } } } as unknown as Parameters<
      typeof callerOf
    >[0];

    // Act
    const refused = (() => {
      try {
        callerOf(event);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).status).toBe(403);
  });

  it('fills the identity as API Gateway does for a role session', () => {
    // Act
    const identity = iamIdentity(
      `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1`,
      '10.0.0.1',
      null,
    );

    // Assess
    expect(identity.userArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1`);
    expect(identity.accountId).toBe(ACCOUNT);
    expect(identity.caller).toMatch(/^AROA[A-Z2-7]{17}:s1$/);
    expect(identity.user).toBe(identity.caller);
    expect(identity.accessKey).toMatch(/^ASIA/);
    expect(identity.cognitoIdentityId).toBeNull();
  });
});

describe('ACCESS_POLICY rules against principals', () => {
  it('lets every session of a role named in a rule in', () => {
    // Prepare
    const policy = accessPolicyFromEnvironment(
      JSON.stringify({
        rules: [
          {
            caller: `arn:aws:iam::${ACCOUNT}:role/team-a-deployer`,
            cluster: 'demo',
            namespaces: ['team-a'],
          },
        ],
      }),
    );
    const caller = callerOf(eventFrom(`arn:aws:sts::${ACCOUNT}:assumed-role/team-a-deployer/x`));

    // Act / Assess
    expect(authorize(policy, caller, 'demo', 'team-a')).toEqual({ allowed: true });
    expect(authorize(policy, caller, 'demo', 'team-b').allowed).toBe(false);
  });

  it('reads a rule that names a role with its path as the role by name', () => {
    // Prepare
    const policy = accessPolicyFromEnvironment(
      JSON.stringify({
        rules: [
          {
            caller: `arn:aws:iam::${ACCOUNT}:role/platform/teams/deployer`,
            cluster: 'demo',
            namespaces: ['*'],
          },
        ],
      }),
    );
    const caller = callerOf(eventFrom(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/x`));

    // Act / Assess
    expect(authorize(policy, caller, 'demo', 'team-a')).toEqual({ allowed: true });
  });

  it('refuses a rule whose wildcard would have to match a path', () => {
    expect(() => principalPattern(`arn:aws:iam::${ACCOUNT}:role/teams/*`)).toThrow(/path/);
    expect(principalPattern(`arn:aws:iam::${ACCOUNT}:role/team-a-*`)).toBe(
      `arn:aws:iam::${ACCOUNT}:role/team-a-*`,
    );
  });
});
