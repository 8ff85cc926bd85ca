// Derives the TypeScript types and the JSON schemas that functions/ validate with from
// openapi.yaml, the single source of truth. `--check` fails when the committed files are stale.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { CORE_SCHEMA, load } from 'js-yaml';
import openapiTS, { astToString } from 'openapi-typescript';
import { parameterSchemas } from '../functions/lib/http/parameter-schemas.ts';

/** ajv's standalone code as plain ESM: its one runtime helper (code-point length) inlined. */
function inline(code: string): string {
  const out = code
    .replace(/^"use strict";/, '')
    .replaceAll('require("ajv/dist/runtime/ucs2length").default', '((text) => [...text].length)');
  if (out.includes('require('))
    throw new Error('ajv standalone code needs a runtime helper that is not inlined');
  return out;
}

/** Keywords that only annotate a schema: no validator reads them, nor any error it reports. */
const ANNOTATIONS = new Set(['description', 'examples', 'example', 'title']);
/** Keywords whose value maps names to schemas: the names are data, never annotations. */
const NAMED_SCHEMAS = new Set(['properties', 'patternProperties', '$defs', 'schemas']);

/**
 * A schema without its annotations, which ajv's standalone code would otherwise carry as
 * constants (it keeps a schema object whole where it reads one keyword of it, an `enum`):
 * prose in every API bundle's cold start that no request reads. What validates is unchanged.
 */
export function withoutAnnotations(schema: unknown, named = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutAnnotations(item));
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => named || !ANNOTATIONS.has(key))
      .map(([key, value]) => [
        key,
        named ? withoutAnnotations(value) : withoutAnnotations(value, NAMED_SCHEMAS.has(key)),
      ]),
  );
}

/** The folder of the validators: one module per operation, and one for the request body. */
export const VALIDATORS_FOLDER = 'functions/generated/validators/';

/**
 * Compiles the request-body and parameter validators with ajv's standalone mode, so the
 * Lambdas carry neither ajv nor a compile step at cold start: the body's in
 * `volume-request.ts`, and each operation's in `<operationId>.ts` (exports `query`, `path`,
 * `header`), so that an API bundle carries its own operation's validators and no other's
 * (ajv's code assigns properties to its functions at the top level, which esbuild cannot
 * tree-shake out of one shared module).
 */
function compileValidators(document: {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
}): Record<string, string> {
  const id = 'https://efs-volumes.dev/openapi.json';
  const components = withoutAnnotations(document.components) as Record<string, unknown>;
  const body = new Ajv2020({ allErrors: true, strict: false, code: { source: true, esm: true } });
  body.addSchema({ $id: id, components });
  const modules: Record<string, string> = {
    'volume-request.ts': inline(
      standaloneCode.default(body, {
        validateVolumeRequest: `${id}#/components/schemas/VolumeRequest`,
      }),
    ),
  };
  const byOperation = new Map<string, Record<string, object>>();
  for (const [name, schema] of Object.entries(parameterSchemas(document, id))) {
    const [operationId, location] = name.split('_') as [string, string];
    byOperation.set(operationId, { ...byOperation.get(operationId), [location]: schema });
  }
  for (const [operationId, schemas] of byOperation) {
    const parameters = new Ajv2020({
      allErrors: true,
      strict: false,
      coerceTypes: true,
      useDefaults: true,
      code: { source: true, esm: true },
    });
    parameters.addSchema({ $id: id, components });
    const names: Record<string, string> = {};
    for (const [location, schema] of Object.entries(schemas)) {
      const schemaId = `https://efs-volumes.dev/parameters/${operationId}_${location}`;
      parameters.addSchema({ ...(withoutAnnotations(schema) as object), $id: schemaId });
      names[location] = schemaId;
    }
    modules[`${operationId}.ts`] = inline(standaloneCode.default(parameters, names));
  }
  return Object.fromEntries(
    Object.entries(modules).map(([file, code]) => [
      `${VALIDATORS_FOLDER}${file}`,
      `// @ts-nocheck\n${code}\n`,
    ]),
  );
}

const root = new URL('../', import.meta.url);
const header = '// Generated from openapi.yaml by `npm run generate`. Do not edit.\n';

async function render(): Promise<Record<string, string>> {
  const source = await readFile(new URL('openapi.yaml', root), 'utf8');
  const document = load(source, { schema: CORE_SCHEMA }) as {
    paths: Record<string, Record<string, unknown>>;
    components: Record<string, unknown>;
  };
  const ast = await openapiTS(source, { defaultNonNullable: false, alphabetize: false });
  const schemas = JSON.stringify(
    { paths: document.paths, components: document.components },
    null,
    2,
  );
  return {
    ...Object.fromEntries(
      Object.entries(compileValidators(document)).map(([path, text]) => [path, `${header}${text}`]),
    ),
    'functions/generated/openapi-types.ts': `${header}${astToString(ast)}`,
    'functions/generated/openapi-schemas.ts': `${header}export const openapiDocument = ${schemas} as const;\n`,
  };
}

const files = await render();
const check = process.argv.includes('--check');
let stale = 0;
// A validator module no operation has any more (or the old single validators.ts) is stale too.
const generated = new URL('functions/generated/', root);
const leftovers = [
  ...(await readdir(generated)).filter((name) => name === 'validators.ts'),
  ...(await readdir(new URL('validators/', generated)).catch(() => [] as string[])).map(
    (name) => `validators/${name}`,
  ),
]
  .map((name) => `functions/generated/${name}`)
  .filter((path) => !(path in files));
for (const path of leftovers) {
  if (check) {
    stale++;
    process.stderr.write(`${path} is no longer generated: run npm run generate\n`);
  } else {
    await rm(new URL(path, root));
  }
}
if (!check) await mkdir(new URL(VALIDATORS_FOLDER, root), { recursive: true });
for (const [path, text] of Object.entries(files)) {
  const target = new URL(path, root);
  if (check) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      stale++;
      process.stderr.write(`${path} is stale: run npm run generate\n`);
    }
  } else {
    await writeFile(target, text);
  }
}
process.exitCode = stale ? 1 : 0;
