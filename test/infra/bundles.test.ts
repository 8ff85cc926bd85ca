import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctionBundles, bundleFileOf } from '../../infra/function-bundles.ts';
import { packagesImportedBy } from './import-graph.ts';
import { logicalIdOf, type SynthesizedStack, synthesize } from './synthesize.ts';

/**
 * Strings only @kubernetes/client-node brings into a bundle, that minification keeps: the
 * server-side apply content type of its PatchStrategy, and the KUBECONFIG variable its
 * KubeConfig reads. Nothing in functions/ spells either.
 */
const KUBERNETES_CLIENT_MARKERS = ['application/apply-patch+yaml', 'KUBECONFIG'];

const KUBERNETES_CLIENT = '@kubernetes/client-node';

interface Bundle {
  readonly name: string;
  readonly entry: string;
  /** `index.mjs`, the module the Lambda loads at its cold start. */
  readonly code: string;
  readonly bytes: number;
  readonly mapPath: string;
  /** The chunks beside it (`chunks/*.mjs`), which its dynamic imports load on the paths that need them. */
  readonly chunks: readonly { readonly file: string; readonly code: string }[];
  /** Everything the function may run: `index.mjs` and its chunks. */
  readonly assetCode: string;
  /** What a cold start loads: `index.mjs` and the chunks it imports statically, in bytes. */
  readonly initBytes: number;
  /** What a cold start loads, as code. */
  readonly initCode: string;
}

/** The issue's budget for what an API operation's cold start loads (bench/report.ts, API_BUNDLE_LIMIT_BYTES). */
const API_BUNDLE_LIMIT = 400_000;

/** The issue's budget for any bundle, and for any chunk (bench/report.ts, ANY_BUNDLE_LIMIT_BYTES). */
const ANY_BUNDLE_LIMIT = 800_000;

/** The chunks a module imports statically (`import … from"./chunks/x.mjs"`), not by `import()`. */
function staticImportsOf(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom|\bimport)\s*"\.\/([^"]+\.mjs)"/g)].map(
    (match) => match[1] as string,
  );
}

/** `index.mjs` and every chunk it imports statically, directly or through another chunk. */
function initCodeOf(code: string, chunks: readonly { file: string; code: string }[]): string[] {
  const byFile = new Map(chunks.map((chunk) => [chunk.file, chunk.code]));
  const loaded = new Set<string>();
  const queue = staticImportsOf(code);
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const path = file.startsWith('chunks/') ? file : `chunks/${file}`;
    const chunk = byFile.get(path);
    if (loaded.has(path) || chunk === undefined) continue;
    loaded.add(path);
    queue.push(...staticImportsOf(chunk));
  }
  return [code, ...[...loaded].map((file) => byFile.get(file) ?? '')];
}

/** The files of an asset folder (or a build's function folder), relative to it, sorted. */
/**
 * Runs an ES module script in a fresh node process, as Lambda starts one: no NODE_OPTIONS,
 * only PATH, the region and `environment`. Its standard output.
 */
function inFreshNode(script: string, environment: Record<string, string>): string {
  const { PATH = '' } = process.env;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH, AWS_REGION: 'us-east-1', ...environment },
    encoding: 'utf8',
  });
}

function filesOf(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(directory, file)).isFile())
    .map((file) => file.split('\\').join('/'))
    .sort();
}

let synthesized: SynthesizedStack;
let bundles: Bundle[];

beforeAll(() => {
  synthesized = synthesize();
  const { stack, resources, outdir } = synthesized;
  const functions = [
    ...stack.workflow.stepFunctions,
    ...stack.api.functions,
    ['provision-requested', stack.requests.handler] as const,
    ['check-volumes', stack.healthChecks.handler] as const,
  ];
  bundles = functions.map(([name, fn]) => {
    const asset = resources[logicalIdOf(stack, fn.function)]?.Properties?.Code as {
      S3Key: string;
    };
    const directory = join(outdir, `asset.${asset.S3Key.replace(/\.zip$/, '')}`);
    const path = join(directory, 'index.mjs');
    const code = readFileSync(path, 'utf8');
    const chunks = filesOf(directory)
      .filter((file) => file.startsWith('chunks/') && file.endsWith('.mjs'))
      .map((file) => ({ file, code: readFileSync(join(directory, file), 'utf8') }));
    return {
      name,
      entry: fn.entry,
      code,
      bytes: statSync(path).size,
      mapPath: join(directory, 'index.mjs.map'),
      chunks,
      assetCode: [code, ...chunks.map((chunk) => chunk.code)].join('\n'),
      initBytes: initCodeOf(code, chunks).reduce((sum, text) => sum + Buffer.byteLength(text), 0),
      initCode: initCodeOf(code, chunks).join('\n'),
    };
  });
  console.table(
    Object.fromEntries(
      [...bundles]
        .sort((a, b) => b.bytes - a.bytes)
        .map((bundle) => [
          bundle.name,
          {
            'index.mjs (kB)': Math.round(bundle.bytes / 1000),
            'at init (kB)': Math.round(bundle.initBytes / 1000),
            'chunks (kB)': Math.round(
              bundle.chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.code), 0) / 1000,
            ),
          },
        ]),
    ),
  );
}, 300_000);

describe('function bundles', () => {
  it('deploys byte for byte the bundles that local mode and the tests run', async () => {
    // Prepare: the bundles local mode and the integration tests run
    const { directory } = await buildFunctionBundles();

    // Act: every file of each function's folder, index.mjs, its chunks and their maps
    const differing = bundles.filter((bundle) => {
      const built = join(bundleFileOf(directory, bundle.entry), '..');
      const deployed = join(bundle.mapPath, '..');
      const files = filesOf(built);
      return (
        JSON.stringify(files) !== JSON.stringify(filesOf(deployed)) ||
        files.some(
          (file) => !readFileSync(join(built, file)).equals(readFileSync(join(deployed, file))),
        )
      );
    });

    // Assess
    expect(bundles.length).toBeGreaterThanOrEqual(30);
    expect(differing.map((bundle) => bundle.name)).toEqual([]);
  }, 120_000);

  it('builds again only the bundle whose inputs changed, to the same bytes', async () => {
    // Prepare: a copy of the built bundles in which one function's record of its inputs no
    // longer matches (as after an edit of a file only that function imports)
    const { directory } = await buildFunctionBundles();
    // Beside the bundles: a bundle's chunk names hash its source map, whose paths are relative
    // to where it is built, so a build elsewhere makes other (equally good) bytes.
    const copy = await mkdtemp(`${directory}-rebuilt-`);
    try {
      await cp(directory, copy, { recursive: true, preserveTimestamps: true });
      const entry = 'functions/steps/verify-mount.ts';
      const manifestFile = join(copy, 'manifest.json');
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
        functions: Record<string, { inputs: Record<string, [number, number]> }>;
      };
      const recorded = manifest.functions[entry];
      if (!recorded) throw new Error(`no manifest entry for ${entry}`);
      recorded.inputs[entry] = [0, 0];
      await writeFile(manifestFile, JSON.stringify(manifest));
      const before = readFileSync(bundleFileOf(copy, entry));

      // Act
      const first = await buildFunctionBundles(copy);
      const second = await buildFunctionBundles(copy);

      // Assess: that one function built, byte for byte as before; then nothing
      expect(first.rebuilt).toEqual([entry]);
      expect(readFileSync(bundleFileOf(copy, entry)).equals(before)).toBe(true);
      expect(second).toMatchObject({ reused: true, rebuilt: [] });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);

  it('leaves out the AWS SDK schemas of the commands no function sends', () => {
    // Prepare: an EC2 command's request schema, whose name minification keeps as a string
    const unsent = ['RunInstancesRequest', 'CreateVpcRequest', 'DescribeInstancesResult'];

    // Act
    const carrying = bundles.filter((bundle) =>
      unsent.some((name) => bundle.assetCode.includes(name)),
    );

    // Assess
    expect(bundles.some((bundle) => bundle.assetCode.includes('DescribeSubnetsRequest'))).toBe(
      true,
    );
    expect(carrying.map((bundle) => bundle.name)).toEqual([]);
  });

  it('replaces whatwg-url, which node-fetch reads only where there is no global URL', () => {
    // Prepare: a state of whatwg-url's URL parser, a string minification keeps
    const kubernetesSteps = bundles.filter((bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.assetCode.includes(marker)),
    );

    // Act
    const withWhatwgUrl = kubernetesSteps.filter((bundle) =>
      bundle.assetCode.includes('special authority ignore slashes'),
    );

    // Assess
    expect(kubernetesSteps.length).toBeGreaterThan(0);
    expect(withWhatwgUrl.map((bundle) => bundle.name)).toEqual([]);
  });

  it('reads AWS credentials from the environment only, as the Lambda runtime gives them', () => {
    // Prepare: strings of the default chain's other links (web identity, container and SSO
    // credentials, credential_process), which minification keeps
    const otherLinks = [
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'sso_start_url',
      'credential_process',
    ];

    // Act
    const withOtherLinks = bundles.filter((bundle) =>
      otherLinks.some((marker) => bundle.assetCode.includes(marker)),
    );
    const readingEnvironment = bundles.filter((bundle) =>
      bundle.assetCode.includes('The Lambda runtime sets AWS_ACCESS_KEY_ID'),
    );

    // Assess: every bundle has the environment link (infra/bundling/lambda-credentials.mjs)
    expect(withOtherLinks.map((bundle) => bundle.name)).toEqual([]);
    expect(readingEnvironment).toHaveLength(bundles.length);
  });

  it('traces SDK v3 clients with the X-Ray SDK, without its SDK v2 patcher and semver', () => {
    // Prepare: a string of the v3 patcher (patchers/aws3_p.js), one of semver, which only the
    // v2 patcher required, and one of the stand-in (infra/bundling/xray-sdk-v2-patcher.cjs)
    const tracing = bundles.filter((bundle) => bundle.assetCode.includes('XRaySDKInstrumentation'));

    // Act
    const withSemver = bundles.filter((bundle) =>
      bundle.assetCode.includes('Invalid major version'),
    );
    const withStandIn = tracing.filter((bundle) =>
      bundle.assetCode.includes('use captureAWSv3Client'),
    );

    // Assess: every function traces its SDK calls (the Tracer wraps every handler)
    expect(tracing).toHaveLength(bundles.length);
    expect(withStandIn).toHaveLength(bundles.length);
    expect(withSemver.map((bundle) => bundle.name)).toEqual([]);
  });

  it('loads the X-Ray SDK only in a function that traces, as Lambda with active tracing', () => {
    // Prepare: a step's bundle and an API operation's, each loaded in a process of its own;
    // the X-Ray SDK's cls-hooked namespace (process.namespaces.AWSXRay) shows it loaded, and
    // with it the async hooks that slow every promise of the process
    const loaded = (bundle: Bundle | undefined, environment: Record<string, string>) => {
      const directory = join(bundle?.mapPath ?? '', '..');
      const script = `await import(${JSON.stringify(pathToFileURL(join(directory, 'index.mjs')).href)}); process.stdout.write(JSON.stringify(Object.keys(process.namespaces ?? {})));`;
      const output = inFreshNode(script, environment);
      return JSON.parse(output.slice(output.lastIndexOf('['))) as string[];
    };
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
    const chosen = [
      bundles.find((bundle) => bundle.entry.endsWith('steps/create-file-system.ts')),
      bundles.find((bundle) => bundle.entry.endsWith('api/get-volume.ts')),
    ];

    // Act / Assess: in Lambda it traces; outside Lambda, or with tracing off, nothing loads
    for (const bundle of chosen) {
      expect(bundle, 'a bundle of that name').toBeDefined();
      expect(loaded(bundle, lambda)).toEqual(['AWSXRay']);
      expect(loaded(bundle, {})).toEqual([]);
      expect(loaded(bundle, { ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toEqual([]);
    }
  });

  it('bundles the Kubernetes client only into the functions whose code imports it', () => {
    // Prepare
    const importing = bundles
      .filter((bundle) => packagesImportedBy(bundle.entry).has(KUBERNETES_CLIENT))
      .map((bundle) => bundle.name);
    const hasClient = (bundle: Bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.assetCode.includes(marker));

    // Act
    const withClient = bundles.filter(hasClient).map((bundle) => bundle.name);
    const partly = bundles.filter(
      (bundle) =>
        !hasClient(bundle) &&
        KUBERNETES_CLIENT_MARKERS.some((marker) => bundle.assetCode.includes(marker)),
    );

    // Assess
    expect(importing.length).toBeGreaterThan(0);
    expect(withClient.sort()).toEqual(importing.sort());
    expect(partly).toEqual([]);
  });

  it('gives the Kubernetes client only to functions that may call a cluster (in an access entry)', () => {
    // Prepare
    const { stack } = synthesized;
    const callers = new Set(
      [
        stack.workflow.kubernetesWriterRole,
        stack.workflow.leftoverReporterRole,
        ...[...stack.workflow.ownKubernetesRoles.values()].map(({ role }) => role),
        ...stack.api.clusterReaderRoles.values(),
        stack.requests.role,
        stack.healthChecks.role,
      ].map((role) => role.node.path),
    );
    const functions = new Map([
      ...stack.workflow.stepFunctions,
      ...stack.api.functions,
      ['provision-requested', stack.requests.handler] as const,
      ['check-volumes', stack.healthChecks.handler] as const,
    ]);

    // Act
    const withClient = bundles.filter((bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.assetCode.includes(marker)),
    );

    // Assess
    for (const bundle of withClient) {
      const role = functions.get(bundle.name)?.function.role;
      expect(callers).toContain(role?.node.path);
    }
  });

  it('keeps every bundle and every chunk under 800 kB, the Kubernetes steps included', () => {
    // Act: index.mjs with the chunks it imports statically, which load with it, and each chunk
    const over = bundles.flatMap((bundle) => [
      ...(bundle.initBytes > ANY_BUNDLE_LIMIT ? [`${bundle.name}: index.mjs`] : []),
      ...bundle.chunks
        .filter((chunk) => Buffer.byteLength(chunk.code) > ANY_BUNDLE_LIMIT)
        .map((chunk) => `${bundle.name}: ${chunk.file}`),
    ]);
    const kubernetesSteps = bundles.filter((bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.assetCode.includes(marker)),
    );

    // Assess
    expect(kubernetesSteps.length).toBeGreaterThan(0);
    expect(over).toEqual([]);
  });

  it("keeps what each API operation's cold start loads under 400 kB", () => {
    // Prepare
    const api = bundles.filter((bundle) => bundle.entry.startsWith('functions/api/'));

    // Act: index.mjs with the chunks it imports statically, which load with it; the chunks it
    // imports with import() load only on the paths that need them
    const over = api
      .filter((bundle) => bundle.initBytes > API_BUNDLE_LIMIT)
      .map((bundle) => `${bundle.name}: ${bundle.initBytes} B at init`);

    // Assess
    expect(api.length).toBeGreaterThanOrEqual(8);
    expect(over).toEqual([]);
    expect(api.every((bundle) => bundle.initBytes >= bundle.bytes)).toBe(true);
  });

  it('leaves the clients and code of the rarer paths out of the API cold starts', () => {
    // Prepare: strings minification keeps, of what only some requests need: the EFS client
    // (a volume on a shared file system), the EventBridge client (a check that finds drift),
    // the plan (a dry run), and mnemonist's cache, replaced (infra/bundling/endpoint-lru-cache.mjs)
    const named = (suffix: string) => {
      const bundle = bundles.find((candidate) => candidate.entry === `functions/api/${suffix}.ts`);
      if (!bundle) throw new Error(`no bundle for ${suffix}`);
      return bundle;
    };

    // Act
    const create = named('create-volume').initCode;
    const check = named('check-volume').initCode;
    const repair = named('repair-volume').initCode;

    // Assess: not at init, but in a chunk the path loads; EFS at init where every request reads it
    expect(create).not.toContain('MagnolioAPIService_v20150201');
    expect(named('create-volume').assetCode).toContain('MagnolioAPIService_v20150201');
    expect(create).not.toContain('AWS Backup StartRestoreJob');
    expect(named('create-volume').assetCode).toContain('AWS Backup StartRestoreJob');
    expect(check).not.toContain('AWSEvents');
    expect(named('check-volume').assetCode).toContain('AWSEvents');
    expect(repair).toContain('MagnolioAPIService_v20150201');
    expect(
      bundles.filter((bundle) => bundle.assetCode.includes('Pointer Array of size')).length,
    ).toBe(0);
  });

  it('loads the X-Ray SDK and the Powertools Tracer from a chunk, never at every cold start', () => {
    // Act
    const inIndex = bundles.filter((bundle) => bundle.code.includes('XRaySDKInstrumentation'));

    // Assess
    expect(inIndex.map((bundle) => bundle.name)).toEqual([]);
  });

  it("requires Node's built-ins, never importing one through its ES module facade", () => {
    // Prepare: an ES module import of a built-in (the banner's own, node:module, aside)
    const esmImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']node:(?!module['"])/;

    // Act
    const importing = bundles.filter((bundle) => esmImport.test(bundle.assetCode));
    const requiring = bundles.filter((bundle) => /\("node:https"\)/.test(bundle.assetCode));

    // Assess: every bundle reaches node:https (the SDK's HTTP handler), through require
    expect(importing.map((bundle) => bundle.name)).toEqual([]);
    expect(requiring).toHaveLength(bundles.length);
  });

  it('emits minified ES modules that export the handler', () => {
    // Prepare
    const shapes = bundles.map((bundle) => ({
      name: bundle.name,
      exportsHandler: /export\s*\{[^}]*\bas handler\b[^}]*\}/.test(bundle.code),
      commonJsExports: /\bmodule\.exports\s*=/.test(bundle.code.slice(0, 200)),
      linesPerKiB: bundle.code.split('\n').length / (bundle.bytes / 1024),
    }));

    // Act
    const wrong = shapes.filter(
      (shape) => !shape.exportsHandler || shape.commonJsExports || shape.linesPerKiB > 1,
    );

    // Assess
    expect(wrong).toEqual([]);
  });

  it("maps a bundle's stack traces to the TypeScript sources when formatted, without NODE_OPTIONS", () => {
    // Prepare: a step's bundle in a process of its own, as Lambda runs it (no NODE_OPTIONS),
    // invoked by an event no workflow of this service sent (it throws before any AWS call)
    const bundle = bundles.find((candidate) =>
      candidate.entry.endsWith('steps/create-file-system.ts'),
    );
    const file = pathToFileURL(join(bundle?.mapPath ?? '', '..', 'index.mjs')).href;
    const script = [
      `const { handler } = await import(${JSON.stringify(file)});`,
      'const error = await handler({ state: {} }, {}).then(() => undefined, (thrown) => thrown);',
      'process.stdout.write(JSON.stringify({ stack: error?.stack, mapped: process.sourceMapsEnabled }));',
    ].join('\n');

    // Act
    const output = inFreshNode(script, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const { stack, mapped } = JSON.parse(output.slice(output.lastIndexOf('{"stack"'))) as {
      stack: string;
      mapped: boolean;
    };
    const frames = stack.split('\n').filter((line) => line.startsWith('    at '));

    // Assess: Node's own source maps are off; the frames in the bundle name the sources, with
    // the functions' own names, and the first is where the error was thrown
    expect(mapped).toBe(false);
    expect(stack).toMatch(/^ForeignExecutionError: /);
    expect(frames[0]).toMatch(
      /^ {4}at verifiedStepState \(.*functions\/lib\/workflow\/execution\.ts:\d+:\d+\)$/,
    );
    expect(frames.filter((frame) => frame.includes('index.mjs'))).toEqual([]);
  });

  it('links a source map without sources, which a formatted stack trace reads', () => {
    // Prepare: index.mjs and every chunk, each with its map beside it
    const files = bundles.flatMap((bundle) => {
      const directory = join(bundle.mapPath, '..');
      return [
        { name: bundle.name, file: 'index.mjs', code: bundle.code },
        ...bundle.chunks.map((chunk) => ({ name: bundle.name, ...chunk })),
      ].map(({ name, file, code }) => ({
        name,
        file,
        code,
        mapPath: join(directory, `${file}.map`),
      }));
    });

    // Act
    const linked = files.map(({ name, file, code, mapPath }) => {
      const exists = existsSync(mapPath);
      const base = file.split('/').at(-1) ?? file;
      return {
        name: `${name}: ${file}`,
        exists,
        linked: code.trimEnd().endsWith(`//# sourceMappingURL=${base}.map`),
        sourcesContent: exists
          ? (JSON.parse(readFileSync(mapPath, 'utf8')) as { sourcesContent?: unknown })
              .sourcesContent
          : undefined,
      };
    });

    // Assess
    expect(files.length).toBeGreaterThan(bundles.length);
    for (const map of linked) {
      expect(map).toEqual({
        name: map.name,
        exists: true,
        linked: true,
        sourcesContent: undefined,
      });
    }
  });
});
