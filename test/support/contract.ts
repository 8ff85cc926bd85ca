// Checks API responses against openapi.yaml: status documented, content type documented, body
// valid against the documented schema. Records what it saw, so a suite can assert coverage.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { openapiDocument } from '../../functions/generated/openapi-schemas.ts';

interface ResponseObject {
  readonly content?: Record<string, { schema?: unknown }>;
  readonly headers?: Record<string, unknown>;
}
interface Operation {
  readonly operationId: string;
  readonly responses: Record<string, ResponseObject | { $ref: string }>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema({ $id: 'openapi.json', components: openapiDocument.components });

const operations = new Map<string, { method: string; path: string; operation: Operation }>();
for (const [path, item] of Object.entries(
  openapiDocument.paths as Record<string, Record<string, unknown>>,
)) {
  for (const [method, value] of Object.entries(item)) {
    const operation = value as Operation;
    if (operation.operationId) operations.set(operation.operationId, { method, path, operation });
  }
}

interface HeaderObject {
  readonly required?: boolean;
  readonly schema?: { readonly type?: string; readonly minimum?: number };
}

/**
 * A response or header as declared, or, for a `$ref`, the one components.responses or
 * components.headers declares under that name ({} when none).
 */
function resolve<T>(kind: 'responses' | 'headers', declared: unknown): T {
  const ref = (declared as { $ref?: string } | undefined)?.$ref;
  if (!ref) return declared as T;
  const components = openapiDocument.components as unknown as Record<
    string,
    Record<string, T> | undefined
  >;
  return components[kind]?.[ref.replace(`#/components/${kind}/`, '')] ?? ({} as T);
}

function absolute(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'),
  );
}

/** One compiled validator per documented response (compiling costs milliseconds, each call). */
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

function validatorOf(key: string, schema: unknown): ReturnType<typeof ajv.compile> {
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(absolute(schema ?? {}) as object);
    validators.set(key, validate);
  }
  return validate;
}

export interface CheckedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** Asserts that a response is one openapi.yaml documents for the operation, and returns it parsed. */
export async function expectContract(
  operationId: string,
  response: Response,
): Promise<CheckedResponse> {
  const entry = operations.get(operationId);
  if (!entry) throw new Error(`openapi.yaml has no operation ${operationId}`);
  const text = await response.text();
  const documented = entry.operation.responses[String(response.status)];
  expect(
    documented,
    `${operationId} answered ${response.status}, which openapi.yaml does not document: ${text}`,
  ).toBeDefined();
  const spec = resolve<ResponseObject>('responses', documented);
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const media = spec.content?.[contentType];
  expect(
    media,
    `${operationId} ${response.status} answered ${contentType}, not ${Object.keys(spec.content ?? {})}`,
  ).toBeDefined();
  let json: unknown;
  if (contentType.endsWith('json')) {
    json = JSON.parse(text);
    const validate = validatorOf(`${operationId} ${response.status} ${contentType}`, media?.schema);
    expect(
      validate(json),
      `${operationId} ${response.status}: ${ajv.errorsText(validate.errors)}\n${text}`,
    ).toBe(true);
  }
  for (const [name, declared] of Object.entries(spec.headers ?? {})) {
    const header = resolve<HeaderObject>('headers', declared);
    const value = response.headers.get(name);
    if (header.required) {
      expect(value, `${operationId} ${response.status} lacks header ${name}`).not.toBeNull();
    }
    // An integer header (Retry-After) holds digits, within its minimum.
    if (value !== null && header.schema?.type === 'integer') {
      expect(value, `${operationId} ${response.status} ${name}`).toMatch(/^\d+$/);
      expect(Number(value), `${operationId} ${response.status} ${name}`).toBeGreaterThanOrEqual(
        header.schema.minimum ?? 0,
      );
    }
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Every operation of openapi.yaml. */
export function operationIds(): string[] {
  return [...operations.keys()];
}
