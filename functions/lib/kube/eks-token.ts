import { Sha256Node } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

/** The prefix of every EKS bearer token, as `aws eks get-token` and aws-iam-authenticator use. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds a token to one cluster; it is signed, so it cannot be changed. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** Tokens are presigned for 60 s, as `aws eks get-token` does; EKS accepts them for up to 15 min. */
const PRESIGN_SECONDS = 60;

export interface EksTokenOptions {
  /** The EKS cluster name (the value of `x-k8s-aws-id`). */
  readonly clusterName: string;
  /** The region whose STS endpoint is signed for. */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** @default now; for tests of expiry */
  readonly signingDate?: Date;
}

/**
 * The STS host a token is presigned for: always the real regional endpoint of the region's
 * partition (China regions end in .amazonaws.com.cn), never an endpoint override.
 */
export function stsHost(region: string): string {
  return region.startsWith('cn-')
    ? `sts.${region}.amazonaws.com.cn`
    : `sts.${region}.amazonaws.com`;
}

/**
 * Builds an EKS bearer token: `k8s-aws-v1.` + base64url (no padding) of a presigned
 * STS GetCallerIdentity URL that signs the `x-k8s-aws-id: <cluster>` header.
 */
export async function buildEksToken(options: EksTokenOptions): Promise<string> {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    // The SDK clients' own SHA-256 (node:crypto): the bundles carry it already.
    sha256: Sha256Node,
    applyChecksum: false,
  });
  const hostname = stsHost(options.region);
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
  });
  const signed = await signer.presign(request, {
    expiresIn: PRESIGN_SECONDS,
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    if (typeof value === 'string') query.append(key, value);
  }
  const url = `https://${hostname}/?${query.toString()}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}
