// How an API operation reads its request: middy's header normalizer and JSON body parser under
// apiHandler, with their errors answered as the problems openapi.yaml documents.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiHandler } from '../../functions/commons/helpers/api-handler.ts';
import * as createVolumeParameters from '../../functions/generated/validators/createVolume.ts';
import { jsonBodyOf, jsonResponse, MAX_BODY_BYTES } from '../../functions/lib/http/http.ts';
import { validateParameters } from '../../functions/lib/http/parameters.ts';

const context = { functionName: 'create-volume', awsRequestId: 'r-1' } as Context;

function postEvent(
  body: string | null,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
  isBase64Encoded = false,
): APIGatewayProxyEvent {
  return {
    body,
    headers,
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded,
    path: '/volumes',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/volumes',
    requestContext: { requestId: 'api-request-1' } as APIGatewayProxyEvent['requestContext'],
  };
}

/** An operation that answers with what it was given: the parsed body and its idempotency key. */
const echo = apiHandler(
  'createVolume',
  async (event) => {
    const headers = validateParameters<{ 'idempotency-key'?: string }>(
      createVolumeParameters,
      'header',
      event.headers,
    );
    return jsonResponse(200, { body: jsonBodyOf(event), key: headers['idempotency-key'] });
  },
  { jsonBody: true },
);

async function call(event: APIGatewayProxyEvent) {
  const response = (await echo(event, context)) as APIGatewayProxyResult;
  return {
    status: response.statusCode,
    contentType: response.headers?.['Content-Type'],
    json: JSON.parse(response.body) as {
      body?: unknown;
      key?: string;
      type?: string;
      detail?: string;
      errors?: { field: string }[];
    },
  };
}

const problemType = (slug: string) => `https://efs-volumes.dev/problems/${slug}`;

describe('apiHandler reading a JSON body', () => {
  it('hands the operation the parsed body, whatever the case of the header names', async () => {
    // Act
    const answer = await call(
      postEvent('{"name":"data","tags":{"team":"a"}}', {
        'CONTENT-TYPE': 'application/json; charset=utf-8',
        'Idempotency-KEY': 'key-0001',
      }),
    );

    // Assess
    expect(answer).toEqual({
      status: 200,
      contentType: 'application/json',
      json: { body: { name: 'data', tags: { team: 'a' } }, key: 'key-0001' },
    });
  });

  it('decodes a base64 body and accepts a +json media type', async () => {
    // Act
    const answer = await call(
      postEvent(
        Buffer.from('{"name":"data"}').toString('base64'),
        { 'content-type': 'application/vnd.efs-volumes+json' },
        true,
      ),
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.body).toEqual({ name: 'data' });
  });

  it.each([
    ['not JSON', '{bad', 400, 'malformed-json'],
    ['truncated JSON', '{"name": "data"', 400, 'malformed-json'],
    ['an empty body', '', 400, 'malformed-json'],
    ['no body at all (API Gateway sends null)', null, 400, 'malformed-json'],
    [
      'a body over the limit',
      JSON.stringify({ x: 'x'.repeat(MAX_BODY_BYTES) }),
      413,
      'payload-too-large',
    ],
  ])('answers %s with a problem', async (_name, body, status, slug) => {
    // Act
    const answer = await call(postEvent(body));

    // Assess
    expect(answer.status).toBe(status);
    expect(answer.contentType).toBe('application/problem+json');
    expect(answer.json.type).toBe(problemType(slug));
    expect(answer.json.body).toBeUndefined();
  });

  it('counts the limit in bytes of the decoded body, not in characters', async () => {
    // Prepare: under the limit in characters, over it in UTF-8 bytes
    const body = JSON.stringify({ x: 'é'.repeat(MAX_BODY_BYTES / 2) });

    // Act
    const answer = await call(postEvent(body));

    // Assess
    expect(body.length).toBeLessThan(MAX_BODY_BYTES + 16);
    expect(answer.status).toBe(413);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no content type', undefined],
  ])('answers %s with 415 unsupported-media-type', async (_name, contentType) => {
    // Act
    const answer = await call(
      postEvent('{"name":"data"}', contentType ? { 'Content-Type': contentType } : {}),
    );

    // Assess
    expect(answer.status).toBe(415);
    expect(answer.json.type).toBe(problemType('unsupported-media-type'));
    expect(answer.json.detail).toBe(`expected application/json, got ${contentType ?? 'none'}`);
  });

  it.each([
    [
      'a nested __proto__',
      '{"name":"data","tags":{"__proto__":{"polluted":"yes"}}}',
      'tags.__proto__',
    ],
    ['a top-level __proto__', '{"__proto__":{"uid":0}}', '__proto__'],
    [
      'constructor.prototype',
      '{"posixUser":{"constructor":{"prototype":{}}}}',
      'posixUser.constructor',
    ],
  ])(
    'refuses %s as invalid-request naming the field, and pollutes nothing',
    async (_name, body, field) => {
      // Act
      const answer = await call(postEvent(body));

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json.type).toBe(problemType('invalid-request'));
      expect(answer.json.errors?.map((error) => error.field)).toEqual([field]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).uid).toBeUndefined();
    },
  );
});

describe('apiHandler without a body', () => {
  it('leaves the body of an operation that takes none unparsed', async () => {
    // Prepare
    const handler = apiHandler('getVolume', async (event) =>
      jsonResponse(200, { body: event.body, contentType: event.headers['content-type'] }),
    );

    // Act
    const response = (await handler(
      postEvent('not json', { 'Content-Type': 'text/plain' }),
      context,
    )) as APIGatewayProxyResult;

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ body: 'not json', contentType: 'text/plain' });
  });
});
