import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
import { PROBLEM_BASE } from '../functions/lib/problems/problem.ts';

/** A JSON object of an OpenAPI document. */
export type JsonObject = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** Reads openapi.yaml, the one source of the API contract. */
export function readOpenApi(path: string): JsonObject {
  return load(readFileSync(path, 'utf8'), { schema: CORE_SCHEMA }) as JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The schema keywords an OpenAPI 3.0 Schema Object has. API Gateway turns these into its
 * JSON Schema draft 4 models; anything else is dropped from the copy.
 */
export const OPENAPI_30_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  '$ref',
  'title',
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'items',
  'maxItems',
  'minItems',
  'uniqueItems',
  'properties',
  'additionalProperties',
  'required',
  'maxProperties',
  'minProperties',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'readOnly',
  'writeOnly',
  'deprecated',
  'example',
]);

/**
 * Rewrites an OpenAPI 3.1 (JSON Schema 2020-12) schema into what API Gateway's draft 4 models
 * accept. Every change keeps or loosens what the schema accepts, never tightens it, so the
 * gateway refuses nothing the Lambda (which validates against openapi.yaml itself) accepts:
 * - `const: x` becomes `enum: [x]` (the same set of values);
 * - `type: [t, 'null']` becomes `type: t, nullable: true`; other type lists are dropped;
 * - numeric `exclusiveMinimum`/`exclusiveMaximum` become draft 4's bound plus boolean flag;
 * - `examples`, `propertyNames` and every other 2019+/2020 keyword are dropped (looser);
 * - a `$ref` keeps no siblings, as OpenAPI 3.0 ignores them.
 */
export function toApiGatewaySchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  if (typeof schema.$ref === 'string') return { $ref: schema.$ref };
  const result: JsonObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'const':
        result.enum = [value];
        break;
      case 'type':
        Object.assign(result, typeOf(value));
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        if (typeof value === 'number') {
          result[keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
          result[keyword] = true;
        } else {
          result[keyword] = value;
        }
        break;
      }
      case 'properties':
        if (isObject(value)) {
          result.properties = Object.fromEntries(
            Object.entries(value).map(([name, property]) => [name, toApiGatewaySchema(property)]),
          );
        }
        break;
      case 'items':
      case 'not':
        result[keyword] = toApiGatewaySchema(value);
        break;
      case 'additionalProperties':
        result[keyword] = typeof value === 'boolean' ? value : toApiGatewaySchema(value);
        break;
      case 'allOf':
      case 'oneOf':
      case 'anyOf':
        if (Array.isArray(value)) result[keyword] = value.map(toApiGatewaySchema);
        break;
      default:
        if (OPENAPI_30_SCHEMA_KEYWORDS.has(keyword)) result[keyword] = value;
    }
  }
  return result;
}

function typeOf(value: unknown): JsonObject {
  if (!Array.isArray(value)) return { type: value };
  const types = value.filter((type) => type !== 'null');
  const nullable = types.length < value.length ? { nullable: true } : {};
  return types.length === 1 ? { type: types[0], ...nullable } : nullable;
}

/** Applies `transform` to every `schema` value below `node` (parameters, bodies, responses). */
function mapSchemas(node: unknown, transform: (schema: unknown) => unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => mapSchemas(item, transform));
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === 'schema' ? transform(value) : mapSchemas(value, transform),
    ]),
  );
}

/** Replaces `$ref`s to components.parameters and components.responses by their targets. */
function inlineComponentRefs(node: unknown, components: JsonObject): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineComponentRefs(item, components));
  if (!isObject(node)) return node;
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const match = /^#\/components\/(parameters|responses)\/([^/]+)$/.exec(ref);
    if (match) {
      const section = components[match[1] ?? ''];
      const target = isObject(section) ? section[match[2] ?? ''] : undefined;
      if (!isObject(target)) throw new Error(`openapi.yaml: ${ref} does not resolve`);
      return inlineComponentRefs(target, components);
    }
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, inlineComponentRefs(value, components)]),
  );
}

/** One operation of the document: where it is and what it is called. */
export interface OperationRef {
  readonly path: string;
  readonly method: (typeof HTTP_METHODS)[number];
  readonly operationId: string;
}

/** Every operation of an OpenAPI document, in document order. */
export function operationsOf(document: JsonObject): OperationRef[] {
  const paths = isObject(document.paths) ? document.paths : {};
  return Object.entries(paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = isObject(item) ? item[method] : undefined;
      if (!isObject(operation)) return [];
      if (typeof operation.operationId !== 'string') {
        throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`);
      }
      return [{ path, method, operationId: operation.operationId }];
    }),
  );
}

/** Path-level parameters apply to every operation; API Gateway reads them per operation. */
function withOperationParameters(pathItem: JsonObject, operation: JsonObject): JsonObject[] {
  const own = (Array.isArray(operation.parameters) ? operation.parameters : []).filter(isObject);
  const shared = (Array.isArray(pathItem.parameters) ? pathItem.parameters : []).filter(isObject);
  const overridden = (parameter: JsonObject) =>
    own.some((mine) => mine.name === parameter.name && mine.in === parameter.in);
  return [...shared.filter((parameter) => !overridden(parameter)), ...own];
}

/** The security scheme name every operation requires: SigV4-signed IAM callers. */
export const SIGV4_SCHEME = 'sigv4';
/** The request validator every operation uses. */
export const REQUEST_VALIDATOR = 'all';

interface GatewayProblem {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
}

/**
 * API Gateway's own errors as problem+json, like the Lambdas' errors. Every documented
 * response type is listed with its status; DEFAULT_4XX and DEFAULT_5XX only catch types
 * added later, so they carry a fixed status that matches their body.
 */
export const GATEWAY_PROBLEMS: Readonly<Record<string, GatewayProblem>> = {
  BAD_REQUEST_BODY: { status: 400, slug: 'invalid-request', title: 'Invalid request' },
  BAD_REQUEST_PARAMETERS: { status: 400, slug: 'invalid-request', title: 'Invalid request' },
  UNAUTHORIZED: { status: 401, slug: 'not-authenticated', title: 'Not authenticated' },
  ACCESS_DENIED: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    slug: 'not-authenticated',
    title: 'Not authenticated (or no such route)',
  },
  INVALID_SIGNATURE: { status: 403, slug: 'not-authenticated', title: 'Invalid signature' },
  EXPIRED_TOKEN: { status: 403, slug: 'not-authenticated', title: 'Expired credentials' },
  INVALID_API_KEY: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  WAF_FILTERED: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  RESOURCE_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not found' },
  REQUEST_TOO_LARGE: { status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported media type',
  },
  THROTTLED: { status: 429, slug: 'throttled', title: 'Too many requests' },
  QUOTA_EXCEEDED: { status: 429, slug: 'throttled', title: 'Too many requests' },
  API_CONFIGURATION_ERROR: { status: 500, slug: 'internal', title: 'Internal error' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, slug: 'internal', title: 'Internal error' },
  AUTHORIZER_FAILURE: { status: 500, slug: 'internal', title: 'Internal error' },
  INTEGRATION_FAILURE: { status: 502, slug: 'internal', title: 'Bad gateway' },
  INTEGRATION_TIMEOUT: { status: 504, slug: 'unavailable', title: 'Gateway timeout' },
  DEFAULT_4XX: { status: 400, slug: 'invalid-request', title: 'Invalid request' },
  DEFAULT_5XX: { status: 500, slug: 'internal', title: 'Internal error' },
};

const PROBLEM_JSON = 'application/problem+json';

/**
 * A gateway response template: only simple `$context` substitution, no VTL, so only values
 * API Gateway quotes itself (`messageString`) or that cannot hold a quote (the request id).
 */
function problemTemplate(problem: GatewayProblem): string {
  return `{"type":"${PROBLEM_BASE}${problem.slug}","title":"${problem.title}","status":${problem.status},"detail":$context.error.messageString,"requestId":"$context.requestId"}`;
}

function gatewayResponses(): JsonObject {
  return Object.fromEntries(
    Object.entries(GATEWAY_PROBLEMS).map(([type, problem]) => {
      const template = problemTemplate(problem);
      return [
        type,
        {
          statusCode: String(problem.status),
          responseParameters: {
            'gatewayresponse.header.Content-Type': `'${PROBLEM_JSON}'`,
            'gatewayresponse.header.Cache-Control': "'no-store'",
          },
          // Keyed by what the client accepts; both give the same problem document.
          responseTemplates: { 'application/json': template, [PROBLEM_JSON]: template },
        },
      ];
    }),
  );
}

export interface ApiGatewayDocumentOptions {
  /**
   * operationId → the Lambda invocation URI of its handler
   * (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations`).
   */
  readonly integrations: Readonly<Record<string, string>>;
}

/**
 * The copy of openapi.yaml API Gateway imports: the same paths, parameters and schemas, as
 * OpenAPI 3.0 with draft 4 schemas, plus what API Gateway reads from extensions: a Lambda
 * proxy integration per operation, SigV4 (IAM) authorization on every operation, request
 * validation of bodies and parameters, and problem+json for the gateway's own errors.
 *
 * @throws Error when an operation has no integration, or an integration no operation
 */
export function apiGatewayDocument(
  openapi: JsonObject,
  options: ApiGatewayDocumentOptions,
): JsonObject {
  const components = isObject(openapi.components) ? openapi.components : {};
  const operations = operationsOf(openapi);
  const unknown = Object.keys(options.integrations).filter(
    (id) => !operations.some((operation) => operation.operationId === id),
  );
  if (unknown.length > 0) throw new Error(`no operation ${unknown.join(', ')} in openapi.yaml`);

  const paths: JsonObject = {};
  for (const [path, rawItem] of Object.entries(isObject(openapi.paths) ? openapi.paths : {})) {
    if (!isObject(rawItem)) continue;
    const item = inlineComponentRefs(rawItem, components) as JsonObject;
    const converted: JsonObject = {};
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const operationId = String(operation.operationId);
      const uri = options.integrations[operationId];
      if (!uri) throw new Error(`no Lambda integration for operation ${operationId}`);
      const parameters = withOperationParameters(item, operation);
      converted[method] = mapSchemas(
        {
          ...operation,
          ...(parameters.length > 0 ? { parameters } : {}),
          security: [{ [SIGV4_SCHEME]: [] }],
          'x-amazon-apigateway-integration': {
            type: 'aws_proxy',
            httpMethod: 'POST',
            uri,
            passthroughBehavior: 'when_no_match',
          },
        },
        toApiGatewaySchema,
      );
    }
    paths[path] = converted;
  }

  const schemas = isObject(components.schemas) ? components.schemas : {};
  const { servers: _servers, ...rest } = openapi;
  return {
    ...rest,
    openapi: '3.0.1',
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [name, toApiGatewaySchema(schema)]),
      ),
      securitySchemes: {
        [SIGV4_SCHEME]: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
    security: [{ [SIGV4_SCHEME]: [] }],
    'x-amazon-apigateway-request-validators': {
      [REQUEST_VALIDATOR]: { validateRequestBody: true, validateRequestParameters: true },
    },
    'x-amazon-apigateway-request-validator': REQUEST_VALIDATOR,
    'x-amazon-apigateway-gateway-responses': gatewayResponses(),
  };
}
