// Derives the TypeScript types and the JSON schemas that functions/ validate with from
// openapi.yaml, the single source of truth. `--check` fails when the committed files are stale.
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const header = '// Generated from openapi.yaml by `npm run generate`. Do not edit.\n';

async function render(): Promise<Record<string, string>> {
  const source = await readFile(new URL('openapi.yaml', root), 'utf8');
  const document = parse(source) as {
    paths: Record<string, unknown>;
    components: Record<string, unknown>;
  };
  const ast = await openapiTS(source, { defaultNonNullable: false, alphabetize: false });
  const schemas = JSON.stringify(
    { paths: document.paths, components: document.components },
    null,
    2,
  );
  return {
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
