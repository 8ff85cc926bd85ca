/**
 * Where an endpoint is, for signing: API Gateway's default hosts name their region
 * (`<api>.execute-api.<region>.amazonaws.com`, and the `vpce` form of private APIs).
 */
const EXECUTE_API_HOST =
  /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

/** The region named by an API Gateway default host, if the URL is one. */
export function executeApiRegion(url: URL): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname)?.[1];
}

/** True for local mode's addresses: localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * An endpoint the client will not talk to, or not sign for: anything but https, except plain
 * http to local mode on loopback, which is never signed. Thrown before any request is sent.
 */
export class InsecureEndpointError extends Error {
  override readonly name = 'InsecureEndpointError';
  /** The endpoint refused, as it was given (without a trailing slash). */
  readonly endpoint: string;

  constructor(endpoint: string, message: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

/**
 * Checks that requests to `url` may go out, and signed if `signed`: https anywhere; plain http
 * only to a loopback address (local mode, on this machine), and never signed, since a
 * signature and the session token beside it would cross the network in clear.
 *
 * @throws InsecureEndpointError naming the endpoint and what to use instead
 */
export function assertSecureTransport(url: URL, signed: boolean): void {
  const endpoint = url.href.replace(/\/+$/, '');
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') {
    throw new InsecureEndpointError(
      endpoint,
      `refusing ${endpoint}: the endpoint must be https:// (or http:// to local mode on a loopback address)`,
    );
  }
  if (!isLoopback(url)) {
    throw new InsecureEndpointError(
      endpoint,
      `refusing ${endpoint}: plain http:// is only for local mode on a loopback address; use https://${endpoint.slice('http://'.length)}`,
    );
  }
  if (signed) {
    throw new InsecureEndpointError(
      endpoint,
      `refusing to sign requests to ${endpoint} over plain http://: signed requests go only over https://, and local mode needs no signing`,
    );
  }
}
