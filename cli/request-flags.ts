// The flags of `create`, `plan` and `list`, read from openapi.yaml: a field added to
// VolumeRequest, or a query parameter added to listVolumes, becomes a flag with no CLI change.
import { InvalidArgumentError, Option } from 'commander';
import { openapiDocument } from '../functions/generated/openapi-schemas.ts';

/** The parts of a JSON Schema the flags are made from. */
interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: boolean | Schema;
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly schema: Schema;
  readonly description?: string;
}

const schemas = openapiDocument.components.schemas as unknown as Record<string, Schema>;

function resolve(schema: Schema): Schema {
  const name = schema.$ref?.replace('#/components/schemas/', '');
  const target = name === undefined ? undefined : schemas[name];
  return target ? resolve(target) : schema;
}

/** A field's flag name: `clusterName` is `--cluster`, the rest kebab-case, nested joined. */
const RENAMED: Readonly<Record<string, string>> = { clusterName: 'cluster' };

function kebab(path: readonly string[]): string {
  return path
    .map((part) => RENAMED[part] ?? part.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`))
    .join('-');
}

function integer(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new InvalidArgumentError('Not an integer.');
  return Number(text);
}

function number(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new InvalidArgumentError('Not a number.');
  return value;
}

function integerList(text: string): number[] {
  return text.split(',').map((part) => integer(part.trim()));
}

function keyValue(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const entries = text.split(',').map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`"${pair}" is not key=value.`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  return { ...previous, ...Object.fromEntries(entries) };
}

/** One flag and the field of the request it fills. */
export interface RequestFlag {
  readonly option: Option;
  /** The field's path in the request body: ['posixUser', 'uid']. */
  readonly path: readonly string[];
}

function describe(schema: Schema, fallback: string): string {
  const text = schema.description ?? fallback;
  return schema.default === undefined ? text : `${text} (default: ${String(schema.default)})`;
}

/** The flag of one field, or undefined for a shape flags cannot carry (it has no flag). */
function flagOf(path: readonly string[], schema: Schema, required: boolean): Option | undefined {
  const name = kebab(path);
  const text = describe(schema, path.join('.'));
  const option = (flags: string) => {
    const made = new Option(flags, text);
    return required ? made.makeOptionMandatory() : made;
  };
  switch (schema.type) {
    case 'string':
      return schema.enum
        ? option(`--${name} <value>`).choices(schema.enum.map(String))
        : option(`--${name} <value>`);
    case 'integer':
      return option(`--${name} <integer>`).argParser(integer);
    case 'number':
      return option(`--${name} <number>`).argParser(number);
    case 'boolean':
      return option(`--${name}`);
    case 'array':
      return resolve(schema.items ?? {}).type === 'integer'
        ? option(`--${name} <integers>`).argParser(integerList)
        : undefined;
    case 'object':
      return typeof schema.additionalProperties === 'object'
        ? option(`--${name} <key=value>`).argParser(keyValue)
        : undefined;
    default:
      return undefined;
  }
}

function flagsOf(
  schema: Schema,
  path: readonly string[],
  skip: ReadonlySet<string>,
): RequestFlag[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([field, raw]) => {
    if (skip.has(field)) return [];
    const property = resolve(raw);
    const fieldPath = [...path, field];
    if (property.type === 'object' && property.properties) {
      return flagsOf(property, fieldPath, new Set());
    }
    // A nested field is only required once its object is given: the API says so, not the flags.
    const option = flagOf(fieldPath, property, path.length === 0 && required.has(field));
    return option ? [{ option, path: fieldPath }] : [];
  });
}

/**
 * One flag per field of openapi.yaml's VolumeRequest, but `dryRun` (that is the `plan`
 * command): `--cluster`, `--namespace`, `--name`, `--posix-user-uid`, `--reclaim-policy`,
 * `--tags key=value` (repeatable, or comma-separated)…
 */
export function volumeRequestFlags(): RequestFlag[] {
  return flagsOf(resolve({ $ref: '#/components/schemas/VolumeRequest' }), [], new Set(['dryRun']));
}

/** One flag per query parameter of listVolumes: `--cluster`, `--namespace`, `--status`… */
export function listVolumesFlags(): RequestFlag[] {
  const operation = openapiDocument.paths['/volumes'].get as unknown as {
    parameters: readonly Parameter[];
  };
  return operation.parameters
    .filter((parameter) => parameter.in === 'query')
    .flatMap((parameter) => {
      const schema = resolve(parameter.schema);
      const option = flagOf(
        [parameter.name],
        {
          ...schema,
          description: parameter.description ?? schema.description ?? parameter.name,
        },
        false,
      );
      return option ? [{ option, path: [parameter.name] }] : [];
    });
}

/**
 * The request body (or query) the parsed flags stand for: each given flag's value at its
 * field's path; flags not given are left out, so the API's defaults apply.
 */
export function requestFromFlags(
  flags: readonly RequestFlag[],
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const { option, path } of flags) {
    const value = values[option.attributeName()];
    if (value === undefined) continue;
    let parent = request;
    for (const field of path.slice(0, -1)) {
      parent[field] ??= {};
      parent = parent[field] as Record<string, unknown>;
    }
    parent[path[path.length - 1] ?? ''] = value;
  }
  return request;
}
