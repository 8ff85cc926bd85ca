// How every Lambda of the service is bundled: the one definition that the CDK stack
// (infra/service-function.ts deploys the bundles infra/function-bundles.ts builds), local
// mode, the tests and the benchmarks all use, so what runs locally is what deploys, byte for
// byte. No aws-cdk-lib import: local mode loads this without the CDK.

import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

/** Lets the CommonJS parts of dependencies `require` Node built-ins from an ESM bundle. */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __efsCreateRequire } from 'node:module'; const require = __efsCreateRequire(import.meta.url);";

/** The project root: bundles resolve package.json `imports` (#lib/*, …) from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages the bundles replace. `whatwg-url` is imported only by node-fetch 2 (through
 * @kubernetes/client-node), as a fallback for runtimes without a global URL; Node 24 has one,
 * so the bundles carry infra/bundling/whatwg-url.mjs instead of its 285 kB IDNA table. The
 * SDK's default credential chain becomes its first link, the environment, the only one that
 * answers in Lambda (infra/bundling/lambda-credentials.mjs): 90–136 kB less in every bundle.
 */
const ALIASES = {
  'whatwg-url': './infra/bundling/whatwg-url.mjs',
  // The default credential chain, reduced to the environment: see the module.
  '@aws-sdk/credential-provider-node': './infra/bundling/lambda-credentials.mjs',
  // The same chain as functions/lib/kube/client.ts imports it (`fromNodeProviderChain`, which
  // the module exports too), not through the package's index: with code splitting, every
  // dynamic import of the index's other providers (SSO, ini files, web identity…) would be
  // a chunk in the function's folder, never loaded but shipped.
  '@aws-sdk/credential-providers': './infra/bundling/lambda-credentials.mjs',
} as const;

/**
 * What a plugin made of a dependency's module, once per process: the functions are built one
 * by one but at once (infra/function-bundles.ts), and most import the same SDK clients.
 * Dependencies do not change while a build runs.
 */
const loaded = new Map<string, Promise<string>>();

function loadedOnce(path: string, load: () => Promise<string>): Promise<string> {
  let contents = loaded.get(path);
  if (!contents) {
    contents = load();
    loaded.set(path, contents);
  }
  return contents;
}

/**
 * A plugin that loads the dependency modules `filter` matches as `rewrite` makes them of their
 * source, once per process (loadedOnce): what a few of them carry that no function runs.
 */
function modulesRewritten(
  name: string,
  filter: RegExp,
  rewrite: (source: string, path: string) => string | Promise<string>,
): Plugin {
  return {
    name,
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => ({
        contents: await loadedOnce(path, async () => rewrite(await readFile(path, 'utf8'), path)),
        loader: 'js',
      }));
    },
  };
}

/** An AWS SDK client's schemas: one module per service, with every shape of its API. */
const SDK_SCHEMAS = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * Lets esbuild drop the schemas of the commands a function never sends. The SDK (since
 * 3.930) writes trait keys as computed properties over its string table (`{ [_xN]: _it }`),
 * and esbuild keeps every statement with a computed key, since the key could run code: the
 * EC2 client alone then brings 550 kB of schemas into any bundle that sends one EC2 command
 * (aws/aws-sdk-js-v3#7607; smithy-lang/smithy-typescript#1889 fixes the generator). This
 * writes those keys as the string literals they are, in the module esbuild reads; what the
 * module does is unchanged.
 */
export const sdkSchemaLiteralKeys = modulesRewritten(
  'sdk-schema-literal-keys@1',
  SDK_SCHEMAS,
  withLiteralKeys,
);

/**
 * A schemas module with each computed key `[_name]:` over its `const _name = "…";` table
 * written as that string; any other computed key is left as it is.
 */
export function withLiteralKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    strings.set(name as string, literal as string);
  }
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const literal = strings.get(name);
    return literal ? `${literal}:` : key;
  });
}

/** An AWS SDK client's package.json, which its runtimeConfig.js imports whole. */
const SDK_CLIENT_PACKAGE_JSON = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/;

/**
 * Gives each AWS SDK client's runtimeConfig.js the one field it reads of its package.json,
 * `version` (for the User-Agent header), with its `name`: esbuild keeps the whole JSON object
 * of a default import, scripts and dependencies included, about 2 kB a client at every cold
 * start. What the client sends is unchanged.
 */
export const sdkPackageVersion: Plugin = {
  name: 'sdk-package-version@1',
  setup(build) {
    build.onLoad({ filter: SDK_CLIENT_PACKAGE_JSON }, async ({ path }) => {
      const { name, version } = JSON.parse(await readFile(path, 'utf8')) as {
        name?: string;
        version?: string;
      };
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * A plugin that resolves the imports `filter` matches to `replacement` (a module of
 * infra/bundling/) when `importedBy` accepts the import and the module making it: the
 * dependencies the bundles replace for one importer only. Every other import resolves as usual.
 */
function importsReplaced(
  name: string,
  filter: RegExp,
  importedBy: (path: string, importer: string) => boolean,
  replacement: string,
): Plugin {
  const path = fileURLToPath(new URL(`bundling/${replacement}`, import.meta.url));
  return {
    name,
    setup(build) {
      build.onResolve({ filter }, (args) =>
        importedBy(args.path, args.importer) ? { path } : undefined,
      );
    },
  };
}

/** What the X-Ray SDK requires its AWS SDK v2 patcher as, from dist/lib/aws-xray.js. */
const XRAY_SDK_V2_PATCHER = /^\.\/patchers\/aws_p(\.js)?$/;

/**
 * Gives the X-Ray SDK (which the Powertools Tracer loads) infra/bundling/xray-sdk-v2-patcher.cjs
 * instead of its AWS SDK v2 patcher, which only `captureAWS`/`captureAWSClient` use and which
 * brings `semver`: 31 kB less in every bundle. SDK v3 clients stay traced: their patcher,
 * `captureAWSv3Client`, is another module, bundled as it is.
 */
export const xraySdkV2Patcher = importsReplaced(
  'xray-sdk-v2-patcher@1',
  XRAY_SDK_V2_PATCHER,
  (_, importer) => /[\\/]aws-xray-sdk-core[\\/]dist[\\/]lib[\\/]aws-xray\.js$/.test(importer),
  'xray-sdk-v2-patcher.cjs',
);

/** @smithy/core's SHA-256 for Node: node:crypto's, or a JavaScript one where that has none. */
const SMITHY_SHA256_NODE =
  /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]sha256[\\/]Sha256Node\.js$/;
const SHA256_JS_IMPORT = 'import { Sha256Js } from "./Sha256Js";';

/**
 * Leaves out of @smithy/core's Sha256Node, the hash every SDK client signs with, its fallback
 * for a Node without node:crypto's sha256 (`hasNativeCrypto ? native : Sha256Js`): Node 24
 * always has it, so the JavaScript SHA-256 never runs, yet it was 3 kB of every cold start.
 * Should node:crypto ever lack sha256, the stand-in throws rather than sign differently.
 */
export const sha256NodeOnly = modulesRewritten(
  'sha256-node-only@1',
  SMITHY_SHA256_NODE,
  (source) => {
    if (!source.includes(SHA256_JS_IMPORT))
      throw new Error('sha256-node-only: Sha256Node.js no longer imports Sha256Js as expected');
    return source.replace(
      SHA256_JS_IMPORT,
      'const Sha256Js = class { constructor() { throw new Error("node:crypto has no sha256"); } };',
    );
  },
);

/** The AWS partitions the SDK resolves endpoints with: each with its regions. */
const SDK_PARTITIONS =
  /[\\/]@aws-sdk[\\/]core[\\/]dist-es[\\/]submodules[\\/]client[\\/]util-endpoints[\\/]lib[\\/]aws[\\/]partitions\.js$/;

/**
 * Leaves out the region names meant for people ("Africa (Cape Town)") of the SDK's partitions
 * table: the endpoint rules read a partition's outputs (name, DNS suffixes, FIPS and dual
 * stack) and whether a region is listed, never its description. 1.5 kB of every cold start.
 */
export const sdkPartitionsWithoutDescriptions = modulesRewritten(
  'sdk-partitions-without-descriptions@1',
  SDK_PARTITIONS,
  (source) => source.replace(/"description": "[^"\\\n]*"/g, ''),
);

/** What @aws-sdk/endpoint-cache imports its cache as. */
const ENDPOINT_CACHE = /[\\/]@aws-sdk[\\/]endpoint-cache[\\/]dist-es[\\/]EndpointCache\.js$/;

/**
 * Gives @aws-sdk/endpoint-cache (the DynamoDB client's cache of discovered endpoints, made at
 * construction, used only with endpoint discovery on) infra/bundling/endpoint-lru-cache.mjs, a
 * least-recently-used cache over a Map, instead of mnemonist's LRUCache with its typed-array
 * pointers and obliterator: 7 kB less at the cold start of every function with DynamoDB.
 */
export const endpointCacheLru = importsReplaced(
  'endpoint-cache-lru@1',
  /^mnemonist\/lru-cache(\.js)?$/,
  (_, importer) => ENDPOINT_CACHE.test(importer),
  'endpoint-lru-cache.mjs',
);

/**
 * Packages that @kubernetes/client-node's modules import for what the functions' in-memory
 * KubeConfig never does (parse kubeconfig text, a socks proxy, the azure, gcp and oidc auth
 * providers), each by the client modules that import it: 180 kB less in the Kubernetes
 * steps. See infra/bundling/kubeconfig-unused.mjs, which they get instead.
 */
const KUBECONFIG_UNUSED: Readonly<Record<string, RegExp>> = {
  'js-yaml': /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/,
  'socks-proxy-agent': /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/,
  'jsonpath-plus': /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/](azure|gcp)_auth\.js$/,
  'openid-client': /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]oidc_auth\.js$/,
};

export const kubeconfigUnused = importsReplaced(
  'kubeconfig-unused@1',
  /^(js-yaml|socks-proxy-agent|jsonpath-plus|openid-client)$/,
  (path, importer) => KUBECONFIG_UNUSED[path]?.test(importer) ?? false,
  'kubeconfig-unused.mjs',
);

/** node-fetch 2's module, the only importer that gets infra/bundling/node-fetch-url.mjs. */
const NODE_FETCH = /[\\/]node-fetch[\\/]lib[\\/]index\.m?js$/;

/**
 * node-fetch 2 (the Kubernetes client's HTTP) parses each request's URL with url.parse(),
 * which Node deprecates (DEP0169) with a warning in every execution environment that calls
 * Kubernetes. Its `url` import gets infra/bundling/node-fetch-url.mjs instead: the same
 * fields, from the WHATWG parser. Every other module's `url` is Node's.
 */
export const nodeFetchWhatwgUrl = importsReplaced(
  'node-fetch-whatwg-url@1',
  /^(node:)?url$/,
  (_, importer) => NODE_FETCH.test(importer),
  'node-fetch-url.mjs',
);

/**
 * The kinds the Kubernetes steps read, write, list and delete through KubernetesObjectApi
 * (functions/lib/kube/apply.ts), and what the client itself deserializes on the way (status,
 * discovery, options): the models the client keeps, with every model they refer to.
 */
export const KUBERNETES_MODELS: readonly string[] = [
  'V1CSIDriver',
  'V1CSIDriverList',
  'V1PersistentVolume',
  'V1PersistentVolumeList',
  'V1PersistentVolumeClaim',
  'V1PersistentVolumeClaimList',
  'V1StorageClass',
  'V1StorageClassList',
  'V1ObjectMeta',
  'V1ListMeta',
  'V1DeleteOptions',
  'V1Status',
  'V1APIResourceList',
];

const KUBERNETES_MODEL_INDEXES =
  /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]models[\\/](ObjectSerializer|all)\.js$/;

/**
 * Lets esbuild drop the Kubernetes client's models of the kinds the functions never handle.
 * Its ObjectSerializer imports and re-exports every model (2,500 of them, 340 kB minified),
 * maps every kind's name to its model class (`typeMap`), and each model module sets static
 * properties when loaded, so all stay in a bundle. This keeps, in ObjectSerializer.js and in
 * the models' index all.js, the models of KUBERNETES_MODELS and every model they refer to
 * (their `attributeTypeMap` types, followed to the end), so those kinds (de)serialize exactly
 * as before, Dates included. An object of any other kind the client would now pass through as
 * the JSON it is, as it does for custom resources; none goes through it. A client module that
 * imported a dropped model would fail the build. test/infra/bundles.test.ts checks it all.
 */
export const kubernetesModels = modulesRewritten(
  'kubernetes-models@1',
  KUBERNETES_MODEL_INDEXES,
  async (source, path) => {
    const folder = dirname(path);
    const serializer = await readFile(join(folder, 'ObjectSerializer.js'), 'utf8');
    return withModels(source, await modelsOf(serializer, folder, KUBERNETES_MODELS));
  },
);

/** The typeMap of ObjectSerializer.js: where it is, and the models it names. */
function typeMapOf(serializer: string) {
  const start = serializer.indexOf('let typeMap = {\n');
  const end = serializer.indexOf('\n};', start);
  if (start < 0 || end < 0) throw new Error('kubernetes-models: no typeMap in ObjectSerializer.js');
  const names = [...serializer.slice(start, end).matchAll(/^\s*"(\w+)": (\w+),?$/gm)];
  return { start, end, models: new Set(names.map((match) => match[1] as string)) };
}

/** The models `roots` need: themselves, and every model their attributes' types name. */
export async function modelsOf(
  serializer: string,
  folder: string,
  roots: readonly string[],
): Promise<{ readonly all: ReadonlySet<string>; readonly kept: ReadonlySet<string> }> {
  const known = typeMapOf(serializer).models;
  const kept = new Set<string>();
  const queue = [...roots];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (kept.has(name)) continue;
    if (!known.has(name)) throw new Error(`kubernetes-models: the client has no model ${name}`);
    kept.add(name);
    const model = await readFile(join(folder, `${name}.js`), 'utf8');
    for (const [, type] of model.matchAll(/"type": "([^"]+)"/g)) {
      for (const [word] of (type as string).matchAll(/\w+/g)) if (known.has(word)) queue.push(word);
    }
  }
  return { all: known, kept };
}

/**
 * ObjectSerializer.js or all.js without the imports, re-exports and typeMap entries of the
 * models not `kept`.
 */
export function withModels(
  source: string,
  models: { readonly all: ReadonlySet<string>; readonly kept: ReadonlySet<string> },
): string {
  const dropped = (name: string) => models.all.has(name) && !models.kept.has(name);
  let out = source.replace(
    /^(?:import \{ (\w+) \}|export \*) from '\.\.\/models\/(\w+)\.js';\n/gm,
    (line, _imported: string | undefined, file: string) => (dropped(file) ? '' : line),
  );
  if (out.includes('let typeMap = {\n')) {
    const { start, end } = typeMapOf(out);
    const map = [...models.kept].sort().map((name) => `    "${name}": ${name},`);
    out = `${out.slice(0, start)}let typeMap = {\n${map.join('\n')}${out.slice(end)}`;
  }
  return out;
}

/** Node's built-in modules, by the name an import may give (`http` or `node:http`). */
const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/**
 * Loads Node's built-in modules with `require` (the banner's ESM_REQUIRE_SHIM) where the
 * bundled code has an `import` of one. An ES module import of a built-in makes Node build its
 * ES module facade, which reads every export once, lazy getters included: `node:http`'s load
 * undici (its WebSocket, EventSource…), about 50 ms of a cold start for a module no function
 * uses, and the facades of the others about 20 ms more. `require` returns the module as it
 * is; esbuild's interop reads an export only when the code uses it. What each import binds
 * is unchanged.
 */
export const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require@1',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, ({ path, kind, namespace }) => {
      const name = path.replace(/^node:/, '');
      if (namespace === 'builtin' || !BUILTINS.has(name)) return undefined;
      if (kind !== 'import-statement' && kind !== 'dynamic-import') return undefined;
      return { path: name, namespace: 'builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${path}`)});`,
      loader: 'js',
    }));
  },
};

/** Where a function's chunks go, relative to its `index.mjs`: inside its own asset folder. */
export const CHUNK_NAMES = 'chunks/[name]-[hash]';

/**
 * The esbuild options of one function's bundle: ESM for Node 24, minified, a linked source map
 * without sources (what `--enable-source-maps` follows), the `require` shim, and every
 * dependency bundled, the SDK included: the deployed versions are the ones the tests ran
 * against, not whatever the runtime ships this month. The entry becomes
 * `<outdir>/<entry without .ts>/index.mjs`, the file the Lambda's handler `index.handler`
 * names. Code splitting makes each dynamic `import()` a chunk (`chunks/` beside `index.mjs`)
 * that Node reads only when that path runs (the X-Ray SDK when tracing, a restore's AWS Backup
 * calls…), so a cold start loads `index.mjs` alone. One build per function: the Lambda's asset
 * is its own folder, so it holds exactly the chunks it imports, shared with no other.
 *
 * @param entry - the handler file relative to the project root, e.g. `functions/steps/resolve-cluster.ts`
 */
export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outdir: join(outdir, entry.replace(/\.ts$/, '')),
    entryNames: 'index',
    chunkNames: CHUNK_NAMES,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: ESM_REQUIRE_SHIM },
    alias: { ...ALIASES },
    plugins: [
      sdkSchemaLiteralKeys,
      sdkPackageVersion,
      xraySdkV2Patcher,
      endpointCacheLru,
      sha256NodeOnly,
      sdkPartitionsWithoutDescriptions,
      kubeconfigUnused,
      nodeFetchWhatwgUrl,
      kubernetesModels,
      builtinsViaRequire,
    ],
    logLevel: 'warning',
  };
}
