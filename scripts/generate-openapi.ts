// Derives the TypeScript types and the JSON schemas that functions/ validate with from
// openapi.yaml, the single source of truth. `--check` fails when the committed files are stale.
import { readFile, writeFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { CORE_SCHEMA, load } from 'js-yaml';
import openapiTS, { astToString } from 'openapi-typescript';
import { parameterSchemas } from '../functions/lib/http/parameter-schemas.ts';

/**
 * Compiles the request-body and parameter validators with ajv's standalone mode, so the
 * Lambdas carry neither ajv nor a compile step at cold start. ajv's generated code requires
 * one runtime helper (code-point length); it is inlined so the module is plain ESM.
 */
function compileValidators(document: {
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
}): string {
  const id = 'https://efs-volumes.dev/openapi.json';
  const body = new Ajv2020({ allErrors: true, strict: false, code: { source: true, esm: true } });
  body.addSchema({ $id: id, components: document.components });
  const bodyCode = standaloneCode.default(body, {
    validateVolumeRequest: `${id}#/components/schemas/VolumeRequest`,
  });
  const parameters = new Ajv2020({
    allErrors: true,
    strict: false,
    coerceTypes: true,
    useDefaults: true,
    code: { source: true, esm: true },
  });
  parameters.addSchema({ $id: id, components: document.components });
  const names: Record<string, string> = {};
  for (const [name, schema] of Object.entries(parameterSchemas(document, id))) {
    parameters.addSchema({ ...schema, $id: `https://efs-volumes.dev/parameters/${name}` });
    names[name] = `https://efs-volumes.dev/parameters/${name}`;
  }
  const parameterCode = standaloneCode.default(parameters, names);
  const inline = (code: string) => {
    const out = code
      .replace(/^"use strict";/, '')
      .replaceAll('require("ajv/dist/runtime/ucs2length").default', '((text) => [...text].length)');
    if (out.includes('require('))
      throw new Error('ajv standalone code needs a runtime helper that is not inlined');
    return out;
  };
  // Two compilations in one module: rename the second one's internal functions apart.
  const second = inline(parameterCode).replace(
    /\b(validate\d+|schema\d+|pattern\d+|func\d+|formats\d+)\b/g,
    'p_$1',
  );
  return `// @ts-nocheck\n${inline(bodyCode)}\n${second}\n`;
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
    'functions/generated/validators.ts': `${header}${compileValidators(document)}`,
    'functions/generated/openapi-types.ts': `${header}${astToString(ast)}`,
    'functions/generated/openapi-schemas.ts': `${header}export const openapiDocument = ${schemas} as const;\n`,
  };
}

const files = await render();
const check = process.argv.includes('--check');
let stale = 0;
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
