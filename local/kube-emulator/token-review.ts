/**
 * Checks an EKS bearer token the way aws-iam-authenticator does (shape, STS host, query
 * parameters, age) and then verifies its SigV4 presigned signature for this cluster's name,
 * which is what makes another cluster's token useless here. No network: identity comes later.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CLUSTER_ID_HEADER, EKS_TOKEN_PREFIX } from '#lib/kube/eks-token';

/** aws-iam-authenticator refuses longer tokens. */
export const MAX_TOKEN_LENGTH = 4096;
/** A token is accepted for 15 minutes after it was signed, whatever X-Amz-Expires says. */
export const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** How far in the future a signing date may be (client clock ahead of ours). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const REQUIRED_PARAMETERS = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;
const OPTIONAL_PARAMETERS = ['X-Amz-Security-Token'] as const;

/** sts.amazonaws.com, sts.<region>.amazonaws.com, sts-fips.…, and the China partition. */
const STS_HOST = /^sts(-fips)?(\.([a-z]{2}(-[a-z]+)+-\d))?\.amazonaws\.com(\.cn)?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface TokenReviewOptions {
  /** The only cluster name (`x-k8s-aws-id`) whose tokens verify. */
  readonly clusterName: string;
  /** The secrets the emulator knows; a token signed with any other key is refused. */
  readonly credentials: readonly SigningKey[];
  readonly now: Date;
}

/** What a verified token proves, enough to ask STS who signed it. */
export interface VerifiedToken {
  readonly accessKeyId: string;
  /** `X-Amz-Credential`: key id and credential scope. */
  readonly credential: string;
  readonly signature: string;
  readonly amzDate: string;
  readonly sessionToken?: string;
  readonly expiresAt: Date;
}

export type TokenReview =
  | { readonly valid: true; readonly token: VerifiedToken }
  | { readonly valid: false; readonly reason: string };

function refuse(reason: string): TokenReview {
  return { valid: false, reason };
}

function parseAmzDate(text: string): Date | undefined {
  const match = AMZ_DATE.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The presigned URL inside a token, if the token is well formed. */
function decodeToken(token: string): URL | string {
  if (token.length > MAX_TOKEN_LENGTH) return 'token too long';
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return 'not an EKS token';
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return 'token is not base64url';
  try {
    return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return 'token is not a URL';
  }
}

/**
 * Reviews an EKS token (`k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity URL).
 * Refusal reasons are fixed phrases, safe to show a client; they never echo the token.
 */
export async function reviewEksToken(
  token: string,
  options: TokenReviewOptions,
): Promise<TokenReview> {
  const url = decodeToken(token);
  if (typeof url === 'string') return refuse(url);
  if (url.protocol !== 'https:') return refuse('presigned URL is not https');
  if (url.username || url.password || url.port || url.hash) {
    return refuse('presigned URL is malformed');
  }
  const host = STS_HOST.exec(url.hostname);
  if (!host) return refuse('presigned URL is not for an STS endpoint');
  if (url.pathname !== '/') return refuse('presigned URL path must be /');

  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(url.search)) {
    if (params.has(key)) return refuse('repeated query parameter');
    params.set(key, value);
  }
  const allowed: readonly string[] = [...REQUIRED_PARAMETERS, ...OPTIONAL_PARAMETERS];
  if ([...params.keys()].some((key) => !allowed.includes(key))) {
    return refuse('unexpected query parameter');
  }
  if (REQUIRED_PARAMETERS.some((key) => !params.get(key))) {
    return refuse('missing query parameter');
  }
  const param = (key: (typeof REQUIRED_PARAMETERS)[number]) => params.get(key) ?? '';
  if (param('Action') !== 'GetCallerIdentity' || param('Version') !== '2011-06-15') {
    return refuse('presigned URL is not GetCallerIdentity');
  }
  if (param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return refuse('unsupported algorithm');
  if (param('X-Amz-SignedHeaders') !== `host;${CLUSTER_ID_HEADER}`) {
    return refuse(`signed headers must be host and ${CLUSTER_ID_HEADER}`);
  }

  const signingDate = parseAmzDate(param('X-Amz-Date'));
  if (!signingDate) return refuse('malformed X-Amz-Date');
  const expires = Number(param('X-Amz-Expires'));
  if (!/^\d+$/.test(param('X-Amz-Expires')) || expires < 1 || expires > 900) {
    return refuse('X-Amz-Expires out of range');
  }
  const age = options.now.getTime() - signingDate.getTime();
  if (age > TOKEN_LIFETIME_MS) return refuse('token expired');
  if (age < -CLOCK_SKEW_MS) return refuse('token signed in the future');

  const [accessKeyId = '', scopeDate, region = '', service, terminator, ...extra] =
    param('X-Amz-Credential').split('/');
  if (
    extra.length > 0 ||
    scopeDate !== param('X-Amz-Date').slice(0, 8) ||
    !REGION.test(region) ||
    service !== 'sts' ||
    terminator !== 'aws4_request'
  ) {
    return refuse('malformed credential scope');
  }
  if ((host[3] ?? 'us-east-1') !== region) {
    return refuse('credential scope does not match the STS endpoint');
  }
  const signature = param('X-Amz-Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) return refuse('malformed signature');

  const key = options.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!key) return refuse('unknown access key');
  const sessionToken = params.get('X-Amz-Security-Token');
  const signer = new SignatureV4({
    credentials: { ...key, ...(sessionToken ? { sessionToken } : {}) },
    region,
    service: 'sts',
    sha256: Sha256,
    applyChecksum: false,
  });
  const expected = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.hostname, [CLUSTER_ID_HEADER]: options.clusterName },
    }),
    { signingDate, expiresIn: expires },
  );
  const expectedSignature = expected.query?.['X-Amz-Signature'];
  if (typeof expectedSignature !== 'string' || !sameSecret(expectedSignature, signature)) {
    return refuse('signature does not match');
  }
  return {
    valid: true,
    token: {
      accessKeyId,
      credential: param('X-Amz-Credential'),
      signature,
      amzDate: param('X-Amz-Date'),
      ...(sessionToken ? { sessionToken } : {}),
      expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS),
    },
  };
}
