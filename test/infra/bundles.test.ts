import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
  readonly code: string;
  readonly bytes: number;
  readonly mapPath: string;
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
    const code = resources[logicalIdOf(stack, fn.function)]?.Properties?.Code as { S3Key: string };
    const directory = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const path = join(directory, 'index.mjs');
    return {
      name,
      entry: fn.entry,
      code: readFileSync(path, 'utf8'),
      bytes: statSync(path).size,
      mapPath: join(directory, 'index.mjs.map'),
    };
  });
  console.table(
    Object.fromEntries(
      [...bundles]
        .sort((a, b) => b.bytes - a.bytes)
        .map((bundle) => [bundle.name, { 'size (KiB)': Math.round(bundle.bytes / 1024) }]),
    ),
  );
}, 300_000);

describe('function bundles', () => {
  it('deploys byte for byte the bundles that local mode and the tests run', async () => {
    // Prepare: the bundles local mode and the integration tests run
    const { directory } = await buildFunctionBundles();

    // Act
    const differing = bundles.filter(
      (bundle) => readFileSync(bundleFileOf(directory, bundle.entry), 'utf8') !== bundle.code,
    );

    // Assess
    expect(bundles.length).toBeGreaterThanOrEqual(30);
    expect(differing.map((bundle) => bundle.name)).toEqual([]);
  }, 120_000);

  it('leaves out the AWS SDK schemas of the commands no function sends', () => {
    // Prepare: an EC2 command's request schema, whose name minification keeps as a string
    const unsent = ['RunInstancesRequest', 'CreateVpcRequest', 'DescribeInstancesResult'];

    // Act
    const carrying = bundles.filter((bundle) => unsent.some((name) => bundle.code.includes(name)));

    // Assess
    expect(bundles.some((bundle) => bundle.code.includes('DescribeSubnetsRequest'))).toBe(true);
    expect(carrying.map((bundle) => bundle.name)).toEqual([]);
  });

  it('replaces whatwg-url, which node-fetch reads only where there is no global URL', () => {
    // Prepare: a state of whatwg-url's URL parser, a string minification keeps
    const kubernetesSteps = bundles.filter((bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.code.includes(marker)),
    );

    // Act
    const withWhatwgUrl = kubernetesSteps.filter((bundle) =>
      bundle.code.includes('special authority ignore slashes'),
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
      otherLinks.some((marker) => bundle.code.includes(marker)),
    );
    const readingEnvironment = bundles.filter((bundle) =>
      bundle.code.includes('The Lambda runtime sets AWS_ACCESS_KEY_ID'),
    );

    // Assess: every bundle has the environment link (infra/bundling/lambda-credentials.mjs)
    expect(withOtherLinks.map((bundle) => bundle.name)).toEqual([]);
    expect(readingEnvironment).toHaveLength(bundles.length);
  });

  it('traces SDK v3 clients with the X-Ray SDK, without its SDK v2 patcher and semver', () => {
    // Prepare: a string of the v3 patcher (patchers/aws3_p.js), one of semver, which only the
    // v2 patcher required, and one of the stand-in (infra/bundling/xray-sdk-v2-patcher.cjs)
    const tracing = bundles.filter((bundle) => bundle.code.includes('XRaySDKInstrumentation'));

    // Act
    const withSemver = bundles.filter((bundle) => bundle.code.includes('Invalid major version'));
    const withStandIn = tracing.filter((bundle) => bundle.code.includes('use captureAWSv3Client'));

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
      const { PATH = '' } = process.env;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH, AWS_REGION: 'us-east-1', ...environment },
        encoding: 'utf8',
      });
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
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.code.includes(marker));

    // Act
    const withClient = bundles.filter(hasClient).map((bundle) => bundle.name);
    const partly = bundles.filter(
      (bundle) =>
        !hasClient(bundle) &&
        KUBERNETES_CLIENT_MARKERS.some((marker) => bundle.code.includes(marker)),
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
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.code.includes(marker)),
    );

    // Assess
    for (const bundle of withClient) {
      const role = functions.get(bundle.name)?.function.role;
      expect(callers).toContain(role?.node.path);
    }
  });

  it('keeps every bundle under 800 kB, the Kubernetes steps with their client included', () => {
    // Prepare: the budget for any bundle (bench/report.ts, ANY_BUNDLE_LIMIT_BYTES)
    const limit = 800_000;

    // Act
    const over = bundles.filter((bundle) => bundle.bytes > limit).map((bundle) => bundle.name);
    const kubernetesSteps = bundles.filter((bundle) =>
      KUBERNETES_CLIENT_MARKERS.every((marker) => bundle.code.includes(marker)),
    );

    // Assess
    expect(kubernetesSteps.length).toBeGreaterThan(0);
    expect(over).toEqual([]);
  });

  it("requires Node's built-ins, never importing one through its ES module facade", () => {
    // Prepare: an ES module import of a built-in (the banner's own, node:module, aside)
    const esmImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']node:(?!module['"])/;

    // Act
    const importing = bundles.filter((bundle) => esmImport.test(bundle.code));
    const requiring = bundles.filter((bundle) => /\("node:https"\)/.test(bundle.code));

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

  it('links a source map without sources, which --enable-source-maps reads', () => {
    // Prepare
    const maps = bundles.map((bundle) => ({ bundle, exists: existsSync(bundle.mapPath) }));

    // Act
    const linked = maps.map(({ bundle, exists }) => ({
      name: bundle.name,
      exists,
      linked: /\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(bundle.code),
      sourcesContent: exists
        ? (JSON.parse(readFileSync(bundle.mapPath, 'utf8')) as { sourcesContent?: unknown })
            .sourcesContent
        : undefined,
    }));

    // Assess
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
