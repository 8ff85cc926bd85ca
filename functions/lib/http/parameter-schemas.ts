/**
 * Turns openapi.yaml's parameters into one JSON schema per operation and location (query,
 * path, header): what `npm run generate` compiles into functions/generated/validators/<operationId>.ts.
 */
interface ParameterObject {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly required?: boolean;
  readonly schema: unknown;
}

type Operation = {
  operationId?: string;
  parameters?: ReadonlyArray<ParameterObject | { $ref: string }>;
};

export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: Record<string, unknown>;
}

export const PARAMETER_LOCATIONS = ['query', 'path', 'header'] as const;
export type ParameterLocation = (typeof PARAMETER_LOCATIONS)[number];

/** The name a validator is exported under: `<operationId>_<location>`. */
export function parameterValidatorName(operationId: string, location: ParameterLocation): string {
  return `${operationId}_${location}`;
}

/** Builds the schemas; `#/components/…` refs are rewritten to `<documentId>#/components/…`. */
export function parameterSchemas(
  document: OpenApiDocument,
  documentId: string,
): Record<string, object> {
  const parameters = (document.components.parameters ?? {}) as Record<string, ParameterObject>;
  const resolve = (parameter: ParameterObject | { $ref: string }): ParameterObject => {
    if (!('$ref' in parameter)) return parameter;
    const found = parameters[parameter.$ref.replace('#/components/parameters/', '')];
    if (!found) throw new Error(`openapi.yaml has no parameter ${parameter.$ref}`);
    return found;
  };
  const absolute = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${documentId}#/components/`));
  const schemas: Record<string, object> = {};
  for (const pathItem of Object.values(document.paths)) {
    const shared = (pathItem.parameters ?? []) as ReadonlyArray<ParameterObject | { $ref: string }>;
    for (const [method, value] of Object.entries(pathItem)) {
      const operation = value as Operation;
      if (method === 'parameters' || !operation.operationId) continue;
      const all = [...shared, ...(operation.parameters ?? [])].map(resolve);
      for (const location of PARAMETER_LOCATIONS) {
        const here = all.filter((parameter) => parameter.in === location);
        const key = (name: string) => (location === 'header' ? name.toLowerCase() : name);
        schemas[parameterValidatorName(operation.operationId, location)] = {
          type: 'object',
          properties: Object.fromEntries(
            here.map((parameter) => [key(parameter.name), absolute(parameter.schema)]),
          ),
          required: here
            .filter((parameter) => parameter.required)
            .map((parameter) => key(parameter.name)),
          // Unknown query parameters are refused; headers carry much else.
          additionalProperties: location !== 'query',
        };
      }
    }
  }
  return schemas;
}
