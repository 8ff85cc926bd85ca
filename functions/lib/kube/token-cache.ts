import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { buildEksToken } from './eks-token.ts';

// EKS accepts a token for 15 minutes from signing; reuse one for 10, so a warm Lambda signs
// rarely and the cluster verifies it with STS rarely too.
const TOKEN_REUSE_MS = 10 * 60 * 1000;
const tokens = new Map<string, { token: string; signedAt: number }>();

/** An EKS token for the cluster, signed with `credentials`, reused while it is fresh. */
export async function cachedEksToken(
  clusterName: string,
  region: string,
  credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>,
): Promise<string> {
  const key = `${region}/${clusterName}`;
  const cached = tokens.get(key);
  if (cached && Date.now() - cached.signedAt < TOKEN_REUSE_MS) return cached.token;
  const token = await buildEksToken({ clusterName, region, credentials });
  tokens.set(key, { token, signedAt: Date.now() });
  return token;
}
