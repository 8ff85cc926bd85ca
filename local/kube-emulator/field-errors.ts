/**
 * The field errors of validation, as the API server words them (`field.Required`,
 * `field.Invalid`, `field.NotSupported`, `field.Forbidden`): each is one cause of an Invalid
 * Status.
 */
import type { StatusCause } from './status.ts';

export function required(field: string, detail?: string): StatusCause {
  return {
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  };
}

export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  };
}

export function unsupported(
  field: string,
  value: unknown,
  supported: readonly string[],
): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((item) => `"${item}"`).join(', ')}`,
    field,
  };
}

export function forbiddenChange(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}
