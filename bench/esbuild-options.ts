// The esbuild options the CDK stack bundles each Lambda with (infra/service-function.ts,
// NodejsFunction `bundling`), for attributing a bundle's bytes to the modules in it and for
// building the bundles directly when `npm run synth` is not available.
//
// service-function.ts does not export them, and importing it would load aws-cdk-lib, so the
// values that can drift (target, mainFields, banner) are read from its text, with the values
// it had when this was written as the fallback. run.ts checks that a build with these options
// has exactly the size of the synthesized bundle, so a drift shows in the results.
import { readFileSync } from 'node:fs';
import type { BuildOptions } from 'esbuild';

export const PROJECT_ROOT = new URL('../', import.meta.url).pathname;
const SERVICE_FUNCTION = `${PROJECT_ROOT}infra/service-function.ts`;

const FALLBACK = {
  target: 'node24',
  mainFields: ['module', 'main'],
  sourcemap: 'linked' as const,
  banner:
    "import { createRequire as __efsCreateRequire } from 'node:module'; const require = __efsCreateRequire(import.meta.url);",
};

/** NodejsFunction's SourceMapMode, as esbuild's `sourcemap`. */
const SOURCE_MAP_MODES = {
  DEFAULT: 'linked',
  EXTERNAL: 'external',
  INLINE: 'inline',
  BOTH: 'both',
} as const;

export interface CdkBundlingOptions {
  readonly target: string;
  readonly mainFields: string[];
  readonly sourcemap: (typeof SOURCE_MAP_MODES)[keyof typeof SOURCE_MAP_MODES] | false;
  readonly banner: string;
  /** Whether the values were read from infra/service-function.ts or are the fallback. */
  readonly source: 'infra/service-function.ts' | 'fallback';
}

/** Reads target, mainFields, the source map mode and the ESM `require` banner from infra/service-function.ts. */
export function cdkBundlingOptions(): CdkBundlingOptions {
  let text: string;
  try {
    text = readFileSync(SERVICE_FUNCTION, 'utf8');
  } catch {
    return { ...FALLBACK, source: 'fallback' };
  }
  const target = /target:\s*'([^']+)'/.exec(text)?.[1];
  const mainFields = /mainFields:\s*\[([^\]]*)\]/
    .exec(text)?.[1]
    ?.split(',')
    .map((field) => field.trim().replace(/^'|'$/g, ''))
    .filter((field) => field.length > 0);
  const banner = /ESM_REQUIRE_SHIM\s*=\s*"([^"]+)"/.exec(text)?.[1];
  const mode = /sourceMapMode:\s*SourceMapMode\.(\w+)/.exec(text)?.[1] as
    | keyof typeof SOURCE_MAP_MODES
    | undefined;
  const sourcemap = /sourceMap:\s*true/.test(text)
    ? (SOURCE_MAP_MODES[mode ?? 'DEFAULT'] ?? FALLBACK.sourcemap)
    : false;
  if (!target || !mainFields || !banner) return { ...FALLBACK, source: 'fallback' };
  return { target, mainFields, sourcemap, banner, source: 'infra/service-function.ts' };
}

/**
 * What NodejsFunction hands esbuild, for every entry at once: bundle everything (no externals,
 * the SDK included), ESM for Node, minified, source map without sources, the banner. Each
 * entry gets `<outdir>/<entry without .ts>/index.mjs`, the name the stack gives it (the
 * source map comment names the file, so the name counts in the size).
 */
export function esbuildOptionsFor(
  entries: readonly string[],
  outdir: string,
  bundling: CdkBundlingOptions = cdkBundlingOptions(),
): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [...entries],
    outdir,
    outbase: PROJECT_ROOT,
    entryNames: '[dir]/[name]/index',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundling.target,
    mainFields: bundling.mainFields,
    minify: true,
    sourcemap: bundling.sourcemap,
    sourcesContent: false,
    banner: { js: bundling.banner },
    external: [],
    logLevel: 'warning',
  };
}
