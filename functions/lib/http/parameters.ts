import * as validators from '../../generated/validators.ts';
import { problems } from '../problems/problem.ts';
import type { CompiledValidator, ValidationError } from '../problems/validation-errors.ts';
import { type ParameterLocation, parameterValidatorName } from './parameter-schemas.ts';

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
  operationId: string,
  location: ParameterLocation,
  values: Record<string, string | undefined> | null | undefined,
): T {
  const validate = (validators as unknown as Record<string, CompiledValidator | undefined>)[
    parameterValidatorName(operationId, location)
  ];
  if (!validate) throw new Error(`openapi.yaml has no operation ${operationId}`);
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
