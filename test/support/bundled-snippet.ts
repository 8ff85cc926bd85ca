import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFor } from '../../infra/bundling.ts';

/**
 * Bundles a few lines of JavaScript (`export … from '<package>'`) with the functions' own
 * esbuild options and plugins (infra/bundling.ts), into one file: a dependency as the bundles
 * carry it, without building a function.
 *
 * @returns the bundle's path, `<folder>/<name>.mjs`
 */
export async function bundledSnippet(contents: string, folder: string, name: string) {
  const options = esbuildOptionsFor(`${name}.ts`, folder);
  const outfile = join(folder, `${name}.mjs`);
  await build({
    ...options,
    entryPoints: undefined,
    entryNames: undefined,
    outdir: undefined,
    splitting: false,
    chunkNames: undefined,
    outfile,
    stdin: { contents, resolveDir: options.absWorkingDir as string, loader: 'js' },
  });
  return outfile;
}
