import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerPrincipal } from './caller-principal.ts';
import { type ProblemError, problems } from './problem.ts';

/** Request bodies over this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value ?? undefined;
  }
  return undefined;
}

/**
 * The JSON body of a request: 415 unless application/json, 413 over MAX_BODY_BYTES, 400 when
 * it does not parse.
 */
export function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  const contentType = header(event, 'content-type') ?? '';
  if (!JSON_TYPE.test(contentType)) throw problems.unsupportedMediaType(contentType);
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64')
    : Buffer.from(event.body ?? '', 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw problems.payloadTooLarge(MAX_BODY_BYTES);
  if (raw.byteLength === 0) throw problems.malformedJson('the body is empty');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw problems.malformedJson(`the body is not JSON: ${(error as Error).message}`);
  }
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

export { header as requestHeader };
