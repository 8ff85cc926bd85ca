import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { buildEksToken, EKS_TOKEN_PREFIX } from '../../functions/lib/kube/eks-token.ts';
import { reviewEksToken } from '../../local/kube-emulator/token-review.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const signingDate = new Date('2026-03-01T12:00:00Z');
const review = (token: string, now = new Date(signingDate.getTime() + 30_000)) =>
  reviewEksToken(token, { clusterName: 'demo', credentials: [credentials], now });

function tokenFor(url: string): string {
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

function urlOf(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

async function validToken(overrides: { clusterName?: string; sessionToken?: string } = {}) {
  return buildEksToken({
    clusterName: overrides.clusterName ?? 'demo',
    region: 'us-east-1',
    credentials: {
      ...credentials,
      ...(overrides.sessionToken ? { sessionToken: overrides.sessionToken } : {}),
    },
    signingDate,
  });
}

describe('reviewEksToken', () => {
  it('accepts a token from buildEksToken and reports its credential and expiry', async () => {
    const token = await validToken();

    const result = await review(token);

    expect(result).toMatchObject({
      valid: true,
      token: {
        accessKeyId: 'testing',
        credential: 'testing/20260301/us-east-1/sts/aws4_request',
        amzDate: '20260301T120000Z',
        expiresAt: new Date('2026-03-01T12:15:00Z'),
      },
    });
  });

  it('accepts a token signed with a session token', async () => {
    const token = await validToken({ sessionToken: 'session-123' });

    const result = await review(token);

    expect(result).toMatchObject({ valid: true, token: { sessionToken: 'session-123' } });
  });

  it("refuses another cluster's token, whose signature covers another cluster name", async () => {
    const token = await validToken({ clusterName: 'other' });

    expect(await review(token)).toEqual({ valid: false, reason: 'signature does not match' });
  });

  it('refuses a token signed with an unknown access key', async () => {
    const token = await buildEksToken({
      clusterName: 'demo',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
      signingDate,
    });

    expect(await review(token)).toEqual({ valid: false, reason: 'unknown access key' });
  });

  it('refuses a known access key with the wrong secret', async () => {
    const token = await buildEksToken({
      clusterName: 'demo',
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'not-the-secret' },
      signingDate,
    });

    expect(await review(token)).toEqual({ valid: false, reason: 'signature does not match' });
  });

  it('refuses a token older than 15 minutes and one signed far in the future', async () => {
    const token = await validToken();

    const expired = await review(token, new Date(signingDate.getTime() + 16 * 60_000));
    const early = await review(token, new Date(signingDate.getTime() - 10 * 60_000));

    expect(expired).toEqual({ valid: false, reason: 'token expired' });
    expect(early).toEqual({ valid: false, reason: 'token signed in the future' });
  });

  it('refuses malformed tokens before looking at signatures', async () => {
    const valid = await validToken();
    const url = urlOf(valid);
    const withParam = (key: string, value: string) => {
      const changed = new URL(url);
      changed.searchParams.append(key, value);
      return tokenFor(changed.toString());
    };
    const withHost = (host: string) => {
      const changed = new URL(url);
      changed.hostname = host;
      return tokenFor(changed.toString());
    };
    const withoutClusterHeader = new URL(url);
    withoutClusterHeader.searchParams.set('X-Amz-SignedHeaders', 'host');

    const cases: Array<[string, string]> = [
      ['garbage', 'not an EKS token'],
      [`k8s-aws-v2.${valid.slice(EKS_TOKEN_PREFIX.length)}`, 'not an EKS token'],
      [`${EKS_TOKEN_PREFIX}!!!`, 'token is not base64url'],
      [`${valid}${'A'.repeat(4096)}`, 'token too long'],
      [tokenFor(url.toString().replace('https:', 'http:')), 'presigned URL is not https'],
      [withHost('evil.example.com'), 'presigned URL is not for an STS endpoint'],
      [withHost('sts.amazonaws.com.evil.example.com'), 'presigned URL is not for an STS endpoint'],
      [withParam('Extra', '1'), 'unexpected query parameter'],
      [withParam('Action', 'GetCallerIdentity'), 'repeated query parameter'],
      [tokenFor(withoutClusterHeader.toString()), 'signed headers must be host and x-k8s-aws-id'],
      [tokenFor(url.toString().replace('.com/?', '.com/other?')), 'presigned URL path must be /'],
    ];

    for (const [token, reason] of cases) {
      expect(await review(token), token.slice(0, 40)).toEqual({ valid: false, reason });
    }
  });

  it('accepts the regional, global, FIPS and China STS hosts when the signature matches', async () => {
    const signed = async (hostname: string, region: string) => {
      const signer = new SignatureV4({
        credentials,
        region,
        service: 'sts',
        sha256: Sha256,
        applyChecksum: false,
      });
      const request = await signer.presign(
        new HttpRequest({
          method: 'GET',
          protocol: 'https:',
          hostname,
          path: '/',
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          headers: { host: hostname, 'x-k8s-aws-id': 'demo' },
        }),
        { signingDate, expiresIn: 60 },
      );
      const query = new URLSearchParams(request.query as Record<string, string>);
      return tokenFor(`https://${hostname}/?${query.toString()}`);
    };

    const hosts: Array<[string, string]> = [
      ['sts.amazonaws.com', 'us-east-1'],
      ['sts.eu-west-1.amazonaws.com', 'eu-west-1'],
      ['sts-fips.us-east-2.amazonaws.com', 'us-east-2'],
      ['sts.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ];

    for (const [hostname, region] of hosts) {
      expect((await review(await signed(hostname, region))).valid, hostname).toBe(true);
    }
    expect(await review(await signed('sts.eu-west-1.amazonaws.com', 'us-east-1'))).toEqual({
      valid: false,
      reason: 'credential scope does not match the STS endpoint',
    });
  });
});
