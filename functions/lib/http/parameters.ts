import { problems } from '../problems/problem.ts';
import type { CompiledValidator, ValidationError } from '../problems/validation-errors.ts';
import type { ParameterLocation } from './parameter-schemas.ts';

/**
 * One operation's parameter validators: the module `npm run generate` writes for it,
 * functions/generated/validators/<operationId>.ts (exports `query`, `path` and `header`).
 * Each handler imports its own operation's, so no bundle carries another operation's.
 */
export type OperationValidators = { readonly [location in ParameterLocation]?: unknown };

function describe(location: string, error: ValidationError) {
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
 * defaults, with validators compiled from it at build time (`npm run generate`). Header names
 * are expected in lower case, as `apiHandler`'s header normalizer leaves them.
 *
 * @throws ProblemError 400 naming every bad parameter
 */
export function validateParameters<T extends Record<string, unknown>>(
  validators: OperationValidators,
  location: ParameterLocation,
  values: Record<string, string | undefined> | null | undefined,
): T {
  const validate = validators[location] as CompiledValidator | undefined;
  if (typeof validate !== 'function') throw new Error(`no ${location} validator given`);
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    if (value !== undefined) copy[name] = value;
  }
  if (!validate(copy)) {
    const errors = (validate.errors ?? []).map((error) => describe(location, error));
    throw problems.invalidRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }
  return copy as T;
}
