// How every Lambda of the service is bundled: the one definition that the CDK stack
// (infra/service-function.ts, NodejsFunction `bundling`), local mode, the tests and the
// benchmarks all use, so what runs locally is what deploys. No aws-cdk-lib import at run
// time: local mode loads this without the CDK.
import { fileURLToPath } from 'node:url';
import type {
  BundlingOptions,
  LogLevel,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Lets the CommonJS parts of dependencies `require` Node built-ins from an ESM bundle. */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __efsCreateRequire } from 'node:module'; const require = __efsCreateRequire(import.meta.url);";

/**
 * NodejsFunction's bundling for every function: ESM for Node 24, minified, a linked source
 * map without sources (what `--enable-source-maps` follows), the `require` shim, and every
 * dependency bundled, the SDK included: the deployed versions are the ones the tests ran
 * against, not whatever the runtime ships this month. The CDK enums are strings; they are
 * spelled here so that this module needs no CDK at run time (a test compares them).
 */
export const LAMBDA_BUNDLING = {
  format: 'esm' as OutputFormat,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourceMapMode: 'default' as SourceMapMode,
  sourcesContent: false,
  banner: ESM_REQUIRE_SHIM,
  externalModules: [],
  logLevel: 'warning' as LogLevel,
} as const satisfies BundlingOptions;

/** NodejsFunction's SourceMapMode as esbuild's `sourcemap`: DEFAULT is a linked map. */
const ESBUILD_SOURCE_MAP = {
  default: 'linked',
  external: 'external',
  inline: 'inline',
  both: 'both',
} as const;

/** The project root: bundles resolve package.json `imports` (#lib/*, …) from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What NodejsFunction hands esbuild for LAMBDA_BUNDLING, for many entries at once. Each entry
 * becomes `<outdir>/<entry without .ts>/index.mjs`, the file name the stack's assets have
 * (the source map comment names it, so the name counts in the size).
 *
 * @param entries - handler files relative to the project root, e.g. `functions/steps/resolve-cluster.ts`
 */
export function esbuildOptionsFor(entries: readonly string[], outdir: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [...entries],
    outdir,
    outbase: PROJECT_ROOT,
    entryNames: '[dir]/[name]/index',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap
      ? ESBUILD_SOURCE_MAP[LAMBDA_BUNDLING.sourceMapMode]
      : false,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    banner: { js: LAMBDA_BUNDLING.banner },
    external: [...LAMBDA_BUNDLING.externalModules],
    logLevel: LAMBDA_BUNDLING.logLevel,
  };
}
