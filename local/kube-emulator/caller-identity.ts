/**
 * Asks the configured STS endpoint (moto in local mode) who signed a verified token. moto picks
 * the service from the Authorization header's credential scope, so the question is a POSTed
 * GetCallerIdentity carrying the token's credential; a presigned GET would be routed to S3.
 * Only the configured endpoint is ever contacted, never the URL inside a token.
 */
import type { VerifiedToken } from './token-review.ts';

export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

function xmlElement(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/**
 * @throws Error when STS does not answer with an identity
 */
export async function getCallerIdentity(
  stsEndpoint: string,
  token: VerifiedToken,
  timeoutMs = 5000,
): Promise<CallerIdentity> {
  const response = await fetch(new URL('/', stsEndpoint), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Amz-Date': token.amzDate,
      Authorization: `AWS4-HMAC-SHA256 Credential=${token.credential}, SignedHeaders=host;x-amz-date, Signature=${token.signature}`,
      ...(token.sessionToken ? { 'X-Amz-Security-Token': token.sessionToken } : {}),
    },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  const body = await response.text();
  const arn = xmlElement(body, 'Arn');
  if (!response.ok || !arn) {
    throw new Error(`GetCallerIdentity answered HTTP ${response.status} without an identity`);
  }
  return {
    arn,
    account: xmlElement(body, 'Account') ?? '',
    userId: xmlElement(body, 'UserId') ?? '',
  };
}
