import { describe, expect, it } from 'vitest';
import { buildEksToken } from '../../functions/lib/kube/eks-token.ts';
import { Authenticator } from '../../local/kube-emulator/authentication.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const signingDate = new Date('2026-03-01T12:00:00Z');

function authenticatorAt(clock: { now: Date }, identify: () => Promise<void> = async () => {}) {
  let calls = 0;
  const authenticator = new Authenticator({
    clusterName: 'demo',
    credentials: [credentials],
    stsEndpoint: 'http://sts.invalid',
    now: () => clock.now,
    identify: async () => {
      calls += 1;
      await identify();
      return {
        arn: 'arn:aws:iam::123456789012:user/dev',
        account: '123456789012',
        userId: 'AIDA1',
      };
    },
  });
  return { authenticator, calls: () => calls };
}

describe('Authenticator', () => {
  it('asks STS once per token while the token lives, then refuses it as expired', async () => {
    const clock = { now: new Date(signingDate.getTime() + 1000) };
    const { authenticator, calls } = authenticatorAt(clock);
    const token = await buildEksToken({
      clusterName: 'demo',
      region: 'us-east-1',
      credentials,
      signingDate,
    });

    const results = await Promise.all([
      authenticator.authenticate(`Bearer ${token}`),
      authenticator.authenticate(`Bearer ${token}`),
    ]);
    await authenticator.authenticate(`bearer ${token}`);
    clock.now = new Date(signingDate.getTime() + 16 * 60_000);
    const late = await authenticator.authenticate(`Bearer ${token}`);

    expect(results.map((result) => result.authenticated)).toEqual([true, true]);
    expect(results[0]).toMatchObject({ user: { username: 'arn:aws:iam::123456789012:user/dev' } });
    expect(calls()).toBe(1);
    expect(late).toEqual({ authenticated: false, reason: 'token expired' });
  });

  it('refuses, and does not remember, a token whose caller STS cannot confirm', async () => {
    const clock = { now: new Date(signingDate.getTime() + 1000) };
    const { authenticator, calls } = authenticatorAt(clock, async () => {
      throw new Error('STS is down');
    });
    const token = await buildEksToken({
      clusterName: 'demo',
      region: 'us-east-1',
      credentials,
      signingDate,
    });

    const first = await authenticator.authenticate(`Bearer ${token}`);
    await authenticator.authenticate(`Bearer ${token}`);

    expect(first).toEqual({
      authenticated: false,
      reason: 'the caller identity could not be verified',
    });
    expect(calls()).toBe(2);
  });

  it('refuses a header that is not a bearer token', async () => {
    const { authenticator } = authenticatorAt({ now: signingDate });

    expect(await authenticator.authenticate(undefined)).toEqual({
      authenticated: false,
      reason: 'a bearer token is required',
    });
    expect((await authenticator.authenticate('Basic dXNlcjpwYXNz')).authenticated).toBe(false);
  });
});
