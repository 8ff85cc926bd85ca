import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { openapiDocument } from '../../generated/openapi-schemas.ts';
import { problems } from './problem.ts';

interface ParameterObject {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly required?: boolean;
  readonly schema: unknown;
}

type Operation = {
  operationId: string;
  parameters?: ReadonlyArray<ParameterObject | { $ref: string }>;
};

const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true });
ajv.addSchema({ $id: 'openapi.json', components: openapiDocument.components });

function resolveParameter(parameter: ParameterObject | { $ref: string }): ParameterObject {
  if (!('$ref' in parameter)) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  const found = (openapiDocument.components.parameters as Record<string, ParameterObject>)[name];
  if (!found) throw new Error(`openapi.yaml has no parameter ${parameter.$ref}`);
  return found;
}

/** Rewrites `#/components/…` refs so they resolve against the registered document. */
function absolute(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'),
  );
}

/** One validator per operation and location, built from openapi.yaml's parameters. */
const validators = new Map<string, ValidateFunction>();
for (const [, pathItem] of Object.entries(
  openapiDocument.paths as Record<string, Record<string, unknown>>,
)) {
  const shared = (pathItem.parameters ?? []) as ReadonlyArray<ParameterObject | { $ref: string }>;
  for (const [method, value] of Object.entries(pathItem)) {
    if (method === 'parameters') continue;
    const operation = value as Operation;
    const all = [...shared, ...(operation.parameters ?? [])].map(resolveParameter);
    for (const location of ['query', 'path', 'header'] as const) {
      const here = all.filter((parameter) => parameter.in === location);
      const key = (name: string) => (location === 'header' ? name.toLowerCase() : name);
      validators.set(
        `${operation.operationId}:${location}`,
        ajv.compile({
          type: 'object',
          properties: Object.fromEntries(
            here.map((parameter) => [key(parameter.name), absolute(parameter.schema)]),
          ),
          required: here
            .filter((parameter) => parameter.required)
            .map((parameter) => key(parameter.name)),
          // Unknown query parameters are refused; headers carry much else.
          additionalProperties: location !== 'query',
        }),
      );
    }
  }
}

function describe(location: string, error: ErrorObject) {
  const field =
    error.instancePath.replace(/^\//, '') ||
    String(error.params.additionalProperty ?? error.params.missingProperty ?? '');
  const message =
    error.keyword === 'additionalProperties'
      ? 'is not a known parameter'
      : (error.message ?? 'is invalid');
  return { field: `${location}.${field}`, message };
}

/**
 * Validates and coerces an operation's parameters as openapi.yaml declares them, filling
 * defaults. Headers are matched case-insensitively.
 *
 * @throws ProblemError 400 naming every bad parameter
 */
export function validateParameters<T extends Record<string, unknown>>(
  operationId: string,
  location: 'query' | 'path' | 'header',
  values: Record<string, string | undefined> | null | undefined,
): T {
  const validate = validators.get(`${operationId}:${location}`);
  if (!validate) throw new Error(`openapi.yaml has no operation ${operationId}`);
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value !== undefined) copy[location === 'header' ? name.toLowerCase() : name] = value;
  }
  if (!validate(copy)) {
    const errors = (validate.errors ?? []).map((error) => describe(location, error));
    throw problems.invalidRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }
  return copy as T;
}
