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
