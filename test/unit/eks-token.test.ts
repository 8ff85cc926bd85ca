import { Sha256 } from '@aws-crypto/sha256-js';
import { Sha256Node } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { buildEksToken, EKS_TOKEN_PREFIX, stsHost } from '../../functions/lib/kube/eks-token.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'session',
};

describe('buildEksToken', () => {
  it('encodes a presigned STS GetCallerIdentity URL that signs the cluster id header', async () => {
    const token = await buildEksToken({ clusterName: 'demo', region: 'eu-west-1', credentials });

    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    const encoded = token.slice(EKS_TOKEN_PREFIX.length);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request$/,
    );
  });

  it('gives a different signature for another cluster', async () => {
    const signingDate = new Date('2026-01-01T00:00:00Z');
    const a = await buildEksToken({
      clusterName: 'a',
      region: 'us-east-1',
      credentials,
      signingDate,
    });
    const b = await buildEksToken({
      clusterName: 'b',
      region: 'us-east-1',
      credentials,
      signingDate,
    });
    const again = await buildEksToken({
      clusterName: 'a',
      region: 'us-east-1',
      credentials,
      signingDate,
    });

    expect(a).not.toBe(b);
    expect(a).toBe(again);
  });
});

describe('stsHost', () => {
  it("signs for the region's partition", () => {
    expect(stsHost('eu-west-1')).toBe('sts.eu-west-1.amazonaws.com');
    expect(stsHost('cn-north-1')).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('the SHA-256 an EKS token is signed with (@smithy/core Sha256Node)', () => {
  it('hashes and keys an HMAC as the JavaScript SHA-256 does, across updates and resets', async () => {
    // Prepare: a string, bytes inside a larger buffer, and a key given as a string and as bytes
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 9]).subarray(2, 7);
    const digests = async (hash: {
      update(d: string | Uint8Array): void;
      digest(): Promise<Uint8Array>;
      reset(): void;
    }) => {
      hash.update('k8s-aws-v1 ');
      hash.update(bytes);
      const first = await hash.digest();
      hash.reset();
      hash.update('again');
      return [Buffer.from(first).toString('hex'), Buffer.from(await hash.digest()).toString('hex')];
    };

    // Act / Assess
    for (const secret of [undefined, 'AWS4secret', new Uint8Array([7, 8, 9])]) {
      expect(await digests(new Sha256Node(secret))).toEqual(await digests(new Sha256(secret)));
    }
  });

  it('signs an EKS token to the same URL as SignatureV4 with the JavaScript SHA-256', async () => {
    // Prepare: the token of a fixed date, and the same request presigned with @aws-crypto's hash
    const signingDate = new Date('2026-01-01T00:00:00Z');
    const token = await buildEksToken({
      clusterName: 'demo',
      region: 'eu-west-1',
      credentials,
      signingDate,
    });
    const signer = new SignatureV4({
      credentials,
      region: 'eu-west-1',
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });

    // Act
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'sts.eu-west-1.amazonaws.com',
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: 'sts.eu-west-1.amazonaws.com', 'x-k8s-aws-id': 'demo' },
      },
      { expiresIn: 60, signingDate },
    );

    // Assess
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString());
    expect(url.searchParams.get('X-Amz-Signature')).toBe(signed.query?.['X-Amz-Signature']);
  });
});
