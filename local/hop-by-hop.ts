import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * The headers that describe one connection, not the message (RFC 9110 §7.6.1): a proxy must
 * not pass them on. Moto's server answers every request with `Connection: close`; passed on,
 * it closed each function's connection to the proxies too, so every AWS call opened two.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** `headers` without the hop-by-hop ones, for the proxies' answers. */
export function endToEndHeaders(
  headers: IncomingHttpHeaders | OutgoingHttpHeaders,
): OutgoingHttpHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
  );
}
