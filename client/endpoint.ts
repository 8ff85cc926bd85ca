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
