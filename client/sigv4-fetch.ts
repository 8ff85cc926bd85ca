import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { InsecureEndpointError } from './endpoint.ts';

/** API Gateway's service name in SigV4 credential scopes. */
export const EXECUTE_API_SERVICE = 'execute-api';

export interface SigV4FetchOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/**
 * A fetch that signs every request with SigV4 for `execute-api`, as API Gateway's IAM
 * authorization checks it: method, path (stage included), query, the headers the request
 * carries and the hash of its body. It signs only what goes over https, and a signed request
 * follows no redirect: its signature and session token would go wherever the redirect says.
 *
 * @throws InsecureEndpointError for a request that is not https, before reading credentials
 */
export function sigV4Fetch(options: SigV4FetchOptions): (request: Request) => Promise<Response> {
  const signer = new SignatureV4({
    service: EXECUTE_API_SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  return async function signedFetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.protocol !== 'https:') {
      throw new InsecureEndpointError(
        url.origin,
        `refusing to sign a request to ${url.origin} over ${url.protocol}//: signed requests go only over https://`,
      );
    }
    const body = request.body === null ? undefined : await request.text();
    const headers: Record<string, string> = { host: url.host };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(name);
      query[name] = values.length === 1 ? (values[0] ?? '') : values;
    }
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
    // fetch writes Host itself, from the same URL; it refuses to be given one.
    const { host: _host, ...sent } = signed.headers;
    return send(
      new Request(request.url, {
        method: request.method,
        headers: sent,
        ...(body === undefined ? {} : { body }),
        signal: request.signal,
        redirect: 'error',
      }),
    );
  };
}
