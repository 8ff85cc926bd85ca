import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { API_OPERATIONS } from '../../infra/api-operations.ts';
import {
  apiGatewayDocument,
  GATEWAY_PROBLEMS,
  type JsonObject,
  OPENAPI_30_SCHEMA_KEYWORDS,
  operationsOf,
  readOpenApi,
  SIGV4_SCHEME,
  toApiGatewaySchema,
} from '../../infra/openapi-for-api-gateway.ts';
import { PROJECT_ROOT } from '../../infra/service-function.ts';

// One integration per operation of the stack's table, as the stack wires them.
const INTEGRATIONS: Record<string, string> = Object.fromEntries(
  Object.keys(API_OPERATIONS).map((operationId) => [operationId, `uri:${operationId}`]),
);

let original: JsonObject;
let converted: JsonObject;

beforeAll(() => {
  original = readOpenApi(`${PROJECT_ROOT}openapi.yaml`);
  converted = apiGatewayDocument(original, { integrations: INTEGRATIONS });
});

/** Validates against openapi.yaml as the Lambdas do: JSON Schema 2020-12. */
function originalValidator(schema: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'openapi.json', components: original.components });
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  return validate;
}

/**
 * Validates against the copy API Gateway imports. Ajv has no draft 4 mode; draft 7 reads the
 * copy's keywords the same way (the copy has no boolean exclusiveMinimum/Maximum, where they differ).
 */
function convertedValidator(schema: string) {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'gateway.json', components: converted.components });
  const validate = ajv.getSchema(`gateway.json#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  return validate;
}

/** Every schema object in a document: components, parameters, bodies, responses, nested. */
function schemasOf(document: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  const visitSchema = (schema: unknown): void => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
    const object = schema as JsonObject;
    found.push(object);
    for (const value of Object.values((object.properties as JsonObject) ?? {})) visitSchema(value);
    visitSchema(object.items);
    visitSchema(object.not);
    if (typeof object.additionalProperties === 'object') visitSchema(object.additionalProperties);
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      for (const item of (object[key] as unknown[]) ?? []) visitSchema(item);
    }
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema') visitSchema(value);
      else visit(value);
    }
  };
  for (const schema of Object.values(
    ((document.components as JsonObject).schemas as JsonObject) ?? {},
  )) {
    visitSchema(schema);
  }
  visit(document.paths);
  return found;
}

function requestExamples(): Record<string, unknown> {
  const paths = original.paths as Record<string, Record<string, JsonObject>>;
  const body = paths['/volumes']?.post?.requestBody as {
    content: { 'application/json': { examples: Record<string, { value: unknown }> } };
  };
  return Object.fromEntries(
    Object.entries(body.content['application/json'].examples).map(([name, example]) => [
      name,
      example.value,
    ]),
  );
}

const minimal = { clusterName: 'demo', namespace: 'team-a', name: 'shared-data' };

/** Requests both documents must judge alike: [name, body, valid]. */
const REQUESTS: readonly [string, unknown, boolean][] = [
  [
    'with every option',
    {
      ...minimal,
      posixUser: { uid: 2000, gid: 2000, secondaryGids: [3000, 3001] },
      rootDirectory: { path: '/data/team-a', permissions: '750' },
      performanceMode: 'maxIO',
      throughputMode: 'provisioned',
      provisionedThroughputInMibps: 128,
      capacity: '10Ti',
      reclaimPolicy: 'Delete',
      storageClassName: 'efs.shared',
      fileSystemId: 'fs-0123456789abcdef0',
      tags: { team: 'storage', 'cost-center': '42' },
      dryRun: true,
    },
    true,
  ],
  ['without a name', { clusterName: 'demo', namespace: 'team-a' }, false],
  ['with an unknown field', { ...minimal, size: '5Gi' }, false],
  ['with an upper-case namespace', { ...minimal, namespace: 'Team-A' }, false],
  ['with a namespace of 64 characters', { ...minimal, namespace: 'a'.repeat(64) }, false],
  ['with a string dryRun', { ...minimal, dryRun: 'yes' }, false],
  ['with a POSIX user without gid', { ...minimal, posixUser: { uid: 1000 } }, false],
  ['with a negative uid', { ...minimal, posixUser: { uid: -1, gid: 1000 } }, false],
  [
    'with 17 secondary groups',
    {
      ...minimal,
      posixUser: { uid: 1, gid: 1, secondaryGids: Array.from({ length: 17 }, (_, i) => i) },
    },
    false,
  ],
  ['with a relative root directory', { ...minimal, rootDirectory: { path: 'data' } }, false],
  ['with a capacity in GB', { ...minimal, capacity: '5GB' }, false],
  ['with an unknown performance mode', { ...minimal, performanceMode: 'fast' }, false],
  ['with a throughput of 0', { ...minimal, provisionedThroughputInMibps: 0 }, false],
  ['with a malformed file system id', { ...minimal, fileSystemId: 'fs-XYZ' }, false],
  [
    'with 41 tags',
    { ...minimal, tags: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v'])) },
    false,
  ],
  ['with a tag value of 257 characters', { ...minimal, tags: { team: 'x'.repeat(257) } }, false],
  ['that is an array', [minimal], false],
  ['that is a string', 'volume', false],
];

describe('apiGatewayDocument', () => {
  it('judges the examples of openapi.yaml valid, as openapi.yaml does', () => {
    // Prepare
    const [spec, copy] = [originalValidator('VolumeRequest'), convertedValidator('VolumeRequest')];
    const examples = requestExamples();

    // Act
    const verdicts = Object.entries(examples).map(([name, body]) => [name, spec(body), copy(body)]);

    // Assess
    expect(verdicts.length).toBeGreaterThan(0);
    for (const [name, specVerdict, copyVerdict] of verdicts) {
      expect([name, specVerdict, copyVerdict]).toEqual([name, true, true]);
    }
  });

  it.each(REQUESTS)('judges a request %s as openapi.yaml does', (_name, body, valid) => {
    // Prepare
    const [spec, copy] = [originalValidator('VolumeRequest'), convertedValidator('VolumeRequest')];

    // Act
    const verdicts = [spec(body), copy(body)];

    // Assess
    expect(verdicts).toEqual([valid, valid]);
  });

  it('lets through a tag key openapi.yaml refuses (propertyNames is dropped), which the Lambda still refuses', () => {
    // Prepare
    const body = { ...minimal, tags: { 'aws:owner': 'me' } };
    const [spec, copy] = [originalValidator('VolumeRequest'), convertedValidator('VolumeRequest')];

    // Act
    const verdicts = [spec(body), copy(body)];

    // Assess
    expect(verdicts).toEqual([false, true]);
    expect(() => validateVolumeRequest(body)).toThrow();
  });

  it('never refuses a volume record openapi.yaml accepts (the response schemas import too)', () => {
    // Prepare
    const schemas = original.components as { schemas: { Volume: { examples: unknown[] } } };
    const [example] = schemas.schemas.Volume.examples;

    // Act
    const verdicts = [originalValidator('Volume')(example), convertedValidator('Volume')(example)];

    // Assess
    expect(verdicts).toEqual([true, true]);
  });

  it('is OpenAPI 3.0 with only the schema keywords API Gateway models take', () => {
    // Prepare
    const schemas = schemasOf(converted);

    // Act
    const keywords = new Set(schemas.flatMap((schema) => Object.keys(schema)));

    // Assess
    expect(converted.openapi).toBe('3.0.1');
    expect(converted).not.toHaveProperty('servers');
    expect([...keywords].filter((keyword) => !OPENAPI_30_SCHEMA_KEYWORDS.has(keyword))).toEqual([]);
    expect(
      schemasOf(original).some((schema) => 'propertyNames' in schema || 'const' in schema),
    ).toBe(true);
  });

  it('imports the SigV4 scheme openapi.yaml declares, required on every operation', () => {
    // Prepare
    const declared = (original.components as JsonObject).securitySchemes as JsonObject;
    const paths = converted.paths as Record<string, Record<string, { security?: unknown }>>;

    // Act
    const imported = (converted.components as JsonObject).securitySchemes as JsonObject;
    const security = Object.values(paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.security),
    );

    // Assess: the same scheme, name and all, so the contract and the gateway cannot drift
    expect(original.security).toEqual([{ [SIGV4_SCHEME]: [] }]);
    expect(imported[SIGV4_SCHEME]).toEqual(
      expect.objectContaining({
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      }),
    );
    expect(declared[SIGV4_SCHEME]).toEqual(expect.objectContaining(imported[SIGV4_SCHEME]));
    expect(security.length).toBe(operationsOf(original).length);
    for (const each of security) expect(each).toEqual([{ [SIGV4_SCHEME]: [] }]);
  });

  it('keeps every path, operation and schema of openapi.yaml', () => {
    // Prepare
    const names = (document: JsonObject) =>
      Object.keys((document.components as JsonObject).schemas as JsonObject);

    // Act
    const [fromSpec, fromCopy] = [operationsOf(original), operationsOf(converted)];

    // Assess
    expect(fromCopy).toEqual(fromSpec);
    expect(names(converted)).toEqual(names(original));
  });

  it('copies path-level parameters into each operation and inlines parameter refs', () => {
    // Prepare
    const paths = converted.paths as Record<string, Record<string, { parameters?: JsonObject[] }>>;

    // Act
    const getVolume = paths['/volumes/{id}']?.get?.parameters ?? [];
    const createVolume = paths['/volumes']?.post?.parameters ?? [];

    // Assess
    expect(paths['/volumes/{id}']).not.toHaveProperty('parameters');
    expect(getVolume).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: { $ref: '#/components/schemas/VolumeId' },
      }),
    ]);
    expect(createVolume).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    ]);
  });

  it('refuses an operation without a Lambda, and a Lambda without an operation', () => {
    // Prepare
    const { getVolume: _dropped, ...missingOne } = INTEGRATIONS;

    // Act
    const missing = () => apiGatewayDocument(original, { integrations: missingOne });
    const extra = () =>
      apiGatewayDocument(original, { integrations: { ...INTEGRATIONS, patchVolume: 'uri' } });

    // Assess
    expect(missing).toThrow('no Lambda integration for operation getVolume');
    expect(extra).toThrow('no operation patchVolume in openapi.yaml');
  });

  it('renders every gateway response as a problem document whose status is the HTTP status', () => {
    // Prepare
    const responses = converted['x-amazon-apigateway-gateway-responses'] as Record<
      string,
      { statusCode: string; responseTemplates: Record<string, string> }
    >;
    const substitute = (template: string) =>
      template
        .replace('$context.error.messageString', JSON.stringify('Invalid request "body"'))
        .replace('$context.requestId', 'c0ffee-1234');
    const isProblem = originalValidator('Problem');

    // Act
    const documents = Object.entries(responses).map(([type, response]) => ({
      type,
      statusCode: Number(response.statusCode),
      bodies: Object.values(response.responseTemplates).map((template) =>
        JSON.parse(substitute(template)),
      ),
    }));

    // Assess
    expect(documents.map((document) => document.type).sort()).toEqual(
      Object.keys(GATEWAY_PROBLEMS).sort(),
    );
    for (const { statusCode, bodies } of documents) {
      expect(bodies).toHaveLength(2);
      for (const body of bodies) {
        expect(body).toEqual({
          type: expect.stringMatching(/^https:\/\/efs-volumes\.dev\/problems\/[a-z-]+$/),
          title: expect.any(String),
          status: statusCode,
          detail: 'Invalid request "body"',
          requestId: 'c0ffee-1234',
        });
        expect(isProblem(body)).toBe(true);
      }
    }
  });
});

describe('toApiGatewaySchema', () => {
  it('turns const into a one-value enum', () => {
    // Prepare
    const schema = { const: true };

    // Act
    const converted = toApiGatewaySchema(schema);

    // Assess
    expect(converted).toEqual({ enum: [true] });
  });

  it('turns a nullable type list into nullable, and drops any other type list', () => {
    // Prepare
    const schemas = [{ type: ['string', 'null'] }, { type: ['string', 'integer'] }];

    // Act
    const converted = schemas.map(toApiGatewaySchema);

    // Assess
    expect(converted).toEqual([{ type: 'string', nullable: true }, {}]);
  });

  it('turns numeric exclusive bounds into draft 4 bounds with flags', () => {
    // Prepare
    const schema = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10 };

    // Act
    const converted = toApiGatewaySchema(schema);

    // Assess
    expect(converted).toEqual({
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 10,
      exclusiveMaximum: true,
    });
  });

  it('drops examples, propertyNames and the siblings of a $ref, deep inside', () => {
    // Prepare
    const schema = {
      type: 'object',
      examples: [{}],
      properties: {
        tags: {
          type: 'object',
          propertyNames: { pattern: '^a' },
          additionalProperties: { type: 'string', examples: ['x'] },
        },
        owner: { $ref: '#/components/schemas/Owner', description: 'ignored in 3.0' },
        list: { type: 'array', items: { const: 'a' } },
      },
    };

    // Act
    const converted = toApiGatewaySchema(schema);

    // Assess
    expect(converted).toEqual({
      type: 'object',
      properties: {
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        owner: { $ref: '#/components/schemas/Owner' },
        list: { type: 'array', items: { enum: ['a'] } },
      },
    });
  });
});
