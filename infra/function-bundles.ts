// Builds every Lambda of the stack (infra/bundling.ts's options), all at once: the stack
// deploys these bundles (infra/service-function.ts), and local mode and the tests run them, so
// what they run is what deploys. A build is reused while none of its inputs changed, so
// `npm start`, a synth or a test run after the first is quick.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptionsFor, PROJECT_ROOT } from './bundling.ts';
import { FUNCTION_CATALOG } from './function-catalog.ts';

/** Where the bundles go: ignored by git, shared by the stack, local mode and the tests. */
export const DEFAULT_BUNDLE_DIRECTORY = join(PROJECT_ROOT, '.build', 'functions');

export interface BuiltFunctions {
  readonly directory: string;
  /** Seconds the build took, or 0 when an earlier build was still current. */
  readonly seconds: number;
  readonly reused: boolean;
}

interface BuildManifest {
  readonly optionsHash: string;
  /** Every input file of the build with its modification time and size. */
  readonly inputs: Readonly<Record<string, readonly [number, number]>>;
}

/** The bundle of a handler file under `directory`, where esbuildOptionsFor puts it. */
export function bundleFileOf(directory: string, entry: string): string {
  return join(directory, entry.replace(/\.ts$/, ''), 'index.mjs');
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function isCurrent(directory: string, optionsHash: string): Promise<boolean> {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) return false;
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as BuildManifest;
  if (manifest.optionsHash !== optionsHash) return false;
  if (!FUNCTION_CATALOG.every((fn) => existsSync(bundleFileOf(directory, fn.entry)))) return false;
  for (const [input, [mtime, size]] of Object.entries(manifest.inputs)) {
    const current = await stat(join(PROJECT_ROOT, input)).catch(() => undefined);
    if (!current || current.mtimeMs !== mtime || current.size !== size) return false;
  }
  return true;
}

/**
 * Bundles every function of infra/function-catalog.ts into `directory` with the stack's
 * options, unless the bundles there were built from the same inputs and options. The new
 * bundles are written beside the old and swapped in whole, so a reader never sees half a build.
 *
 * @param directory - @default .build/functions under the project root
 */
export async function buildFunctionBundles(
  directory = DEFAULT_BUNDLE_DIRECTORY,
): Promise<BuiltFunctions> {
  const entries = FUNCTION_CATALOG.map((fn) => fn.entry);
  const optionsHash = hashOf(entries.map((entry) => esbuildOptionsFor(entry, 'out')));
  if (await isCurrent(directory, optionsHash)) return { directory, seconds: 0, reused: true };

  const started = performance.now();
  const staging = `${directory}.${process.pid}.${Date.now().toString(36)}`;
  await mkdir(staging, { recursive: true });
  try {
    // One build per function, so each function's folder holds its own chunks (bundling.ts).
    const results = await Promise.all(
      entries.map((entry) => build({ ...esbuildOptionsFor(entry, staging), metafile: true })),
    );
    const inputs: Record<string, [number, number]> = {};
    for (const input of new Set(results.flatMap((result) => Object.keys(result.metafile.inputs)))) {
      const path = input.replace(/^.*?:/, '');
      const info = await stat(join(PROJECT_ROOT, path)).catch(() => undefined);
      if (info) inputs[path] = [info.mtimeMs, info.size];
    }
    const manifest: BuildManifest = { optionsHash, inputs };
    await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest));
    await rm(directory, { recursive: true, force: true });
    // Another process may have swapped in the same build meanwhile: theirs is as good.
    await rename(staging, directory).catch(async (error: unknown) => {
      if (!(await isCurrent(directory, optionsHash))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { directory, seconds: (performance.now() - started) / 1000, reused: false };
}

let builtForSynth = false;

/**
 * The folder of one function's bundle (`index.mjs`, its chunks and their maps), built with the others in
 * DEFAULT_BUNDLE_DIRECTORY on the first call of the process. CDK constructs are synchronous,
 * so the build runs as a child process of this module.
 *
 * @param entry - the handler file, relative to the project root
 */
export function functionBundleDirectory(entry: string): string {
  if (!builtForSynth) {
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), DEFAULT_BUNDLE_DIRECTORY], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    builtForSynth = true;
  }
  return dirname(bundleFileOf(DEFAULT_BUNDLE_DIRECTORY, entry));
}

// `node infra/function-bundles.ts [directory]`: build (or reuse) every bundle.
if (import.meta.main) {
  const built = await buildFunctionBundles(process.argv[2]);
  process.stdout.write(
    `function bundles: ${built.reused ? 'reused' : `built in ${built.seconds.toFixed(1)} s`} ${built.directory}\n`,
  );
}
