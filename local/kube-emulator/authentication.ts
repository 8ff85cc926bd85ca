/**
 * Bearer-token authentication as EKS does it: review the token, then learn the caller from STS.
 * Successful reviews are cached per token for the token's remaining lifetime, so a burst of
 * API calls costs one STS call. Tokens are kept only as hashes.
 */
import { createHash } from 'node:crypto';
import { type ClusterAccess, kubernetesUserOf } from './access-entries.ts';
import { type CallerIdentity, getCallerIdentity } from './caller-identity.ts';
import { reviewEksToken, type SigningKey, type VerifiedToken } from './token-review.ts';

export interface AuthenticatedUser {
  /** The Kubernetes username: the caller's ARN, or what its access entry makes of it. */
  readonly username: string;
  /** The caller's ARN, as STS names it. */
  readonly arn: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly accountId: string;
}

export type AuthenticationResult =
  | { readonly authenticated: true; readonly user: AuthenticatedUser }
  | { readonly authenticated: false; readonly reason: string };

export interface AuthenticatorOptions {
  readonly clusterName: string;
  readonly credentials: readonly SigningKey[];
  readonly stsEndpoint: string;
  readonly now: () => Date;
  /** Access entries; without any, every caller is a cluster admin. @default {} */
  readonly access?: ClusterAccess;
  /** @default 256 tokens */
  readonly cacheSize?: number;
  /** @default GetCallerIdentity on `stsEndpoint` */
  readonly identify?: (stsEndpoint: string, token: VerifiedToken) => Promise<CallerIdentity>;
}

interface CachedUser {
  readonly user: AuthenticatedUser;
  readonly expiresAt: number;
}

export class Authenticator {
  private readonly options: AuthenticatorOptions;
  private readonly cache = new Map<string, CachedUser>();
  private readonly pending = new Map<string, Promise<AuthenticationResult>>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
  }

  /** Authenticates the value of an `Authorization` header. */
  async authenticate(authorization: string | undefined): Promise<AuthenticationResult> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { authenticated: false, reason: 'a bearer token is required' };
    const token = match[1];
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.options.now().getTime()) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return { authenticated: true, user: cached.user };
    }
    this.cache.delete(key);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const result = this.verify(key, token).finally(() => this.pending.delete(key));
    this.pending.set(key, result);
    return result;
  }

  private async verify(key: string, token: string): Promise<AuthenticationResult> {
    const review = await reviewEksToken(token, {
      clusterName: this.options.clusterName,
      credentials: this.options.credentials,
      now: this.options.now(),
    });
    if (!review.valid) return { authenticated: false, reason: review.reason };
    const identify = this.options.identify ?? getCallerIdentity;
    let identity: CallerIdentity;
    try {
      identity = await identify(this.options.stsEndpoint, review.token);
    } catch {
      return { authenticated: false, reason: 'the caller identity could not be verified' };
    }
    const kubernetesUser = kubernetesUserOf(identity.arn, this.options.access ?? {});
    // EKS answers 401, not 403, to a caller it knows but has no access entry for.
    if (!kubernetesUser) {
      return { authenticated: false, reason: 'the caller has no access entry for this cluster' };
    }
    const user: AuthenticatedUser = {
      ...kubernetesUser,
      arn: identity.arn,
      uid: `aws-iam-authenticator:${identity.account}:${identity.userId}`,
      accountId: identity.account,
    };
    this.remember(key, { user, expiresAt: review.token.expiresAt.getTime() });
    return { authenticated: true, user };
  }

  private remember(key: string, entry: CachedUser): void {
    this.cache.set(key, entry);
    const limit = this.options.cacheSize ?? 256;
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= limit) break;
      this.cache.delete(oldest);
    }
  }
}
