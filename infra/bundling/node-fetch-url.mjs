// node-fetch 2 (the HTTP client of @kubernetes/client-node 1.x) parses every request's URL with
// url.parse(), which Node deprecates (DEP0169: "prone to errors that have security
// implications") and warns about in each execution environment that makes a Kubernetes call.
// The bundles give node-fetch this `url` instead: the same legacy-shaped object, made by the
// WHATWG URL parser (node-fetch only ever passes it absolute URLs, which it has already
// normalized with `new URL`), and node:url's own `format` and `URL`.
import { format, URL } from 'node:url';

/** The url.parse() fields node-fetch and http.request read, from a WHATWG URL. */
export function parse(input) {
  const url = new URL(input);
  const user = decodeURIComponent(url.username);
  const auth = url.username
    ? url.password
      ? `${user}:${decodeURIComponent(url.password)}`
      : user
    : null;
  return {
    protocol: url.protocol,
    slashes: true,
    auth,
    host: url.host,
    port: url.port || null,
    // http.request takes an IPv6 hostname without its brackets, as url.parse gives it.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    hash: url.hash || null,
    search: url.search || null,
    query: url.search ? url.search.slice(1) : null,
    pathname: url.pathname,
    path: `${url.pathname}${url.search}`,
    href: url.href,
  };
}

export { format, URL };
export default { format, parse, URL };
