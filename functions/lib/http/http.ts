import type middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ProblemError, problems } from '../problems/problem.ts';
import { callerPrincipal } from '../service/caller-principal.ts';
import { numberSetting } from '../settings.ts';
import { VOLUME_STATUSES, type VolumeStatus } from '../volume/lifecycle.ts';

/** Request bodies over this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

const JSON_BODY_PARSER = '@middy/http-json-body-parser';

/** Header names in lower case, for every operation (middy's header normalizer). */
export const headerNormalizer = (): ApiMiddleware => httpHeaderNormalizer();

/**
 * 413 over MAX_BODY_BYTES and 400 for an empty body (API Gateway passes none as `null`, which
 * middy's parser would read as the JSON `null`), before anything is parsed.
 */
const bodyLimits: ApiMiddleware = {
  before: ({ event }) => {
    const { body } = event;
    if (body === null || body === undefined || body === '')
      throw problems.malformedJson('the body is empty');
    const bytes = event.isBase64Encoded
      ? Buffer.from(body, 'base64').byteLength
      : Buffer.byteLength(body, 'utf8');
    if (bytes > MAX_BODY_BYTES) throw problems.payloadTooLarge(MAX_BODY_BYTES);
  },
};

/**
 * The JSON body of a request, for an operation that takes one: 413 over MAX_BODY_BYTES, then
 * middy's JSON body parser (415 unless application/json or `+json`; 422 when the body does not
 * parse or has a `__proto__` or `constructor.prototype` key), whose errors `problemOfError` turns
 * into problems. After these, `event.body` is the parsed value: read it with `jsonBodyOf`.
 */
export const jsonBody = (): ApiMiddleware[] => [bodyLimits, httpJsonBodyParser()];

/** The body `jsonBody` parsed: any JSON value, to validate before use. */
export function jsonBodyOf(event: APIGatewayProxyEvent): unknown {
  return event.body as unknown;
}

interface MiddyHttpError extends Error {
  readonly statusCode: number;
  readonly cause?: {
    readonly package?: string;
    readonly data?: unknown;
    readonly message?: string;
  };
}

function isBodyParserError(error: unknown): error is MiddyHttpError {
  const cause = (error as MiddyHttpError | undefined)?.cause;
  return typeof cause === 'object' && cause !== null && cause.package === JSON_BODY_PARSER;
}

/**
 * The dotted path of the first `key` in a JSON text, as the body's validation names fields
 * (`tags.__proto__`). JSON.parse makes `__proto__` an own key, never a prototype.
 */
function pathOfKey(text: string, key: string): string | undefined {
  const search = (value: unknown, path: readonly string[]): string | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    for (const [name, child] of Object.entries(value)) {
      const here = [...path, name];
      if (name === key) return here.join('.');
      const found = search(child, here);
      if (found) return found;
    }
    return undefined;
  };
  try {
    return search(JSON.parse(text), []);
  } catch {
    return undefined;
  }
}

/**
 * The problem an error is answered with: a ProblemError as it is; middy's body parser errors as
 * the problems openapi.yaml documents (415 unsupported-media-type; 400 malformed-json, or
 * invalid-request naming a forbidden key); anything else 500 without detail.
 *
 * @param event - the request, whose body names where a forbidden key is
 */
export function problemOfError(error: unknown, event?: APIGatewayProxyEvent): ProblemError {
  if (error instanceof ProblemError) return error;
  if (!isBodyParserError(error)) return problems.internal(error);
  const { statusCode, cause } = error;
  if (statusCode === 415) return problems.unsupportedMediaType(String(cause?.data ?? ''));
  if (error.message === 'Forbidden key in JSON body') {
    const key = String(cause?.data);
    const raw = typeof event?.body === 'string' ? event.body : '';
    const text = event?.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const field = pathOfKey(text, key) ?? key;
    return problems.invalidRequest(`${field} is a forbidden key`, [
      { field, message: 'is a forbidden key' },
    ]);
  }
  return problems.malformedJson(`the body is not JSON: ${cause?.message ?? error.message}`);
}

/**
 * Who is calling: the IAM principal behind the identity API Gateway authenticated (a role, not
 * its session; see caller-principal.ts).
 *
 * @throws ProblemError 403 when the request carries no IAM identity (the API requires SigV4)
 */
export function callerOf(event: APIGatewayProxyEvent): string {
  const userArn = event.requestContext?.identity?.userArn;
  const principal = userArn ? callerPrincipal(userArn) : undefined;
  if (!principal)
    throw problems.forbidden('the request carries no IAM identity (sign it with SigV4)');
  return principal.arn;
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The headers of an answer about one volume: `Retry-After` while its status is still changing
 * (a status the lifecycle does not call settled), the whole seconds a poller should wait before
 * its next GET (RETRY_AFTER_SECONDS, at least 1); none once it settled. With `location`, the
 * volume's URL too (a 202's `Location`).
 */
export function volumeHeaders(
  volume: { readonly id: string; readonly status: VolumeStatus },
  { location = false } = {},
): Record<string, string> {
  return {
    ...(location ? { Location: `/volumes/${volume.id}` } : {}),
    ...(VOLUME_STATUSES[volume.status]?.settled === false
      ? { 'Retry-After': String(Math.max(1, Math.ceil(numberSetting('RETRY_AFTER_SECONDS')))) }
      : {}),
  };
}

export function problemResponse(problem: ProblemError, instance?: string): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...problem.headers,
    },
    body: JSON.stringify(problem.toDocument(instance)),
  };
}
