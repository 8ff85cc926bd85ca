// Builds every Lambda of the stack (infra/bundling.ts's options): the stack deploys these
// bundles (infra/service-function.ts), and local mode and the tests run them, so what they run
// is what deploys. A function's bundle is reused while none of its inputs changed, so
// `npm start`, a synth or a test run after the first is quick, and after an edit only the
// functions that import the edited file are built again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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
  /** The functions (their handler files) this call built. */
  readonly rebuilt: readonly string[];
}

/** Builds at once: esbuild spreads each over the cores already. */
const BUILDS_AT_ONCE = Math.max(2, availableParallelism());

/** What each function's bundle was built from, kept beside the bundles. */
interface BuildManifest {
  readonly functions: Readonly<Record<string, FunctionBuild>>;
}

interface FunctionBuild {
  readonly optionsHash: string;
  /** Every input file of the function's build with its modification time and size. */
  readonly inputs: Readonly<Record<string, readonly [number, number]>>;
}

const MANIFEST = 'manifest.json';

/** The bundle of a handler file under `directory`, where esbuildOptionsFor puts it. */
export function bundleFileOf(directory: string, entry: string): string {
  return join(directory, entry.replace(/\.ts$/, ''), 'index.mjs');
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function readManifest(directory: string): Promise<BuildManifest> {
  const text = await readFile(join(directory, MANIFEST), 'utf8').catch(() => undefined);
  if (!text) return { functions: {} };
  const manifest = JSON.parse(text) as Partial<BuildManifest>;
  return { functions: manifest.functions ?? {} };
}

/** Whether a function's bundle in `directory` was built from its current inputs and options. */
function isCurrent(
  directory: string,
  entry: string,
  optionsHash: string,
  built: FunctionBuild | undefined,
  statOf: (path: string) => Promise<readonly [number, number] | undefined>,
): Promise<boolean> {
  if (!built || built.optionsHash !== optionsHash) return Promise.resolve(false);
  if (!existsSync(bundleFileOf(directory, entry))) return Promise.resolve(false);
  return Promise.all(
    Object.entries(built.inputs).map(async ([input, [mtime, size]]) => {
      const current = await statOf(input);
      return current !== undefined && current[0] === mtime && current[1] === size;
    }),
  ).then((same) => same.every(Boolean));
}

/** `stat` of project files, each asked once: the functions share most of their inputs. */
function fileStats(): (path: string) => Promise<readonly [number, number] | undefined> {
  const seen = new Map<string, Promise<readonly [number, number] | undefined>>();
  return (path) => {
    let info = seen.get(path);
    if (!info) {
      info = stat(join(PROJECT_ROOT, path)).then(
        (found) => [found.mtimeMs, found.size] as const,
        () => undefined,
      );
      seen.set(path, info);
    }
    return info;
  };
}

/**
 * Bundles the functions of infra/function-catalog.ts into `directory` with the stack's
 * options, each one only if its bundle there was not built from the same inputs and options:
 * a change to one step's handler rebuilds that step. The functions are built a few at a time
 * (esbuild parallelizes each build itself; 33 at once took half again the CPU, mostly its
 * memory). Each new bundle is written beside the old one and swapped in whole, so a reader
 * never sees half a bundle.
 *
 * @param directory - @default .build/functions under the project root
 */
export async function buildFunctionBundles(
  directory = DEFAULT_BUNDLE_DIRECTORY,
): Promise<BuiltFunctions> {
  const entries = FUNCTION_CATALOG.map((fn) => fn.entry);
  const manifest = await readManifest(directory);
  const statOf = fileStats();
  const hashes = new Map(entries.map((entry) => [entry, hashOf(esbuildOptionsFor(entry, 'out'))]));
  const stale: string[] = [];
  for (const entry of entries) {
    const optionsHash = hashes.get(entry) as string;
    const built = manifest.functions[entry];
    if (!(await isCurrent(directory, entry, optionsHash, built, statOf))) stale.push(entry);
  }
  if (stale.length === 0) return { directory, seconds: 0, reused: true, rebuilt: [] };

  const started = performance.now();
  const staging = `${directory}.${process.pid}.${Date.now().toString(36)}`;
  await mkdir(staging, { recursive: true });
  try {
    // One build per function, so each function's folder holds its own chunks (bundling.ts).
    const builds: Record<string, FunctionBuild> = {};
    const queue = [...stale];
    const buildNext = async (): Promise<void> => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const result = await build({ ...esbuildOptionsFor(entry, staging), metafile: true });
        const inputs: Record<string, [number, number]> = {};
        for (const input of Object.keys(result.metafile.inputs)) {
          const path = input.replace(/^.*?:/, '');
          const info = await statOf(path);
          if (info) inputs[path] = [info[0], info[1]];
        }
        builds[entry] = { optionsHash: hashes.get(entry) as string, inputs };
      }
    };
    await Promise.all(Array.from({ length: Math.min(BUILDS_AT_ONCE, stale.length) }, buildNext));
    await mkdir(directory, { recursive: true });
    for (const entry of stale) {
      const folder = dirname(bundleFileOf(directory, entry));
      await rm(folder, { recursive: true, force: true });
      await mkdir(dirname(folder), { recursive: true });
      // Another process may have put the same function's bundle there meanwhile: as good.
      await rename(dirname(bundleFileOf(staging, entry)), folder).catch((error: unknown) => {
        if (!existsSync(bundleFileOf(directory, entry))) throw error;
      });
    }
    // The functions of the catalog only: a removed function's entry goes with it.
    const functions: Record<string, FunctionBuild> = {};
    for (const entry of entries) {
      const built = builds[entry] ?? manifest.functions[entry];
      if (built) functions[entry] = built;
    }
    const next = `${join(directory, MANIFEST)}.${process.pid}`;
    await writeFile(next, JSON.stringify({ functions } satisfies BuildManifest));
    await rename(next, join(directory, MANIFEST));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return {
    directory,
    seconds: (performance.now() - started) / 1000,
    reused: false,
    rebuilt: stale,
  };
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
  const what = built.reused
    ? 'reused'
    : `${built.rebuilt.length} of ${FUNCTION_CATALOG.length} built in ${built.seconds.toFixed(1)} s`;
  process.stdout.write(`function bundles: ${what} ${built.directory}\n`);
}
