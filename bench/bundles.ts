// The Lambda bundles exactly as the CDK stack builds them: `npm run synth` (infra/app.ts) into
// a private output folder, each AWS::Lambda::Function mapped to its asset folder and its entry
// file; or, if the synth fails, esbuild with the stack's options. Then sizes, and which
// packages the bytes come from and which import chain pulls each heavy package in.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { CONTEXT_KEY } from '../infra/config.ts';
import { type CatalogFunction, FUNCTION_CATALOG } from '../infra/function-catalog.ts';
import { projectContext } from '../infra/project-context.ts';
import { esbuildOptionsFor, PROJECT_ROOT } from './esbuild-options.ts';

/** What a function is for: the catalog's kinds (infra/function-catalog.ts). */
export type FunctionKind = CatalogFunction['kind'];

/**
 * The steps that talk to a cluster through the Kubernetes client (KubernetesObjectApi): the
 * catalog's writers (infra/function-catalog.ts `kubernetesGroup: 'writer'`), which apply and
 * delete the manifests, check the claim and run the mount check's and the restore listing's
 * Jobs. DESIGN.md: "Only the functions that talk to Kubernetes import the client". The readers
 * (the API functions, the record-…-failure steps) only read, over node:https. Read from the
 * catalog, so a new writer is never reported as carrying the client for nothing.
 */
export const KUBERNETES_CLIENT_USERS: ReadonlySet<string> = new Set(
  FUNCTION_CATALOG.filter((fn) => fn.kubernetesGroup === 'writer').map((fn) =>
    basename(fn.entry, '.ts'),
  ),
);

export const KUBERNETES_CLIENT_PACKAGE = '@kubernetes/client-node';

export interface BundleTarget {
  /** The entry's file name without `.ts`, e.g. `check-mount-targets`. */
  readonly name: string;
  readonly kind: FunctionKind;
  /** The entry, relative to the project root. */
  readonly entry: string;
  /** The bundle to load (`index.mjs`). */
  readonly file: string;
  readonly memoryMB: number;
  /** The function's environment as the template sets it (references replaced by stand-ins). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logicalId?: string;
}

export interface BundleSet {
  readonly source: 'synth' | 'esbuild';
  readonly targets: BundleTarget[];
  readonly seconds: number;
  /** Why the synth was not used, when it was not. */
  readonly synthError?: string;
}

interface TemplateFunction {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties?: {
    Code?: { S3Key?: unknown };
    Handler?: string;
    MemorySize?: number;
    Description?: string;
    Environment?: { Variables?: Record<string, unknown> };
  };
}

/** Every handler file: `functions/{api,steps,events}/*.ts`. */
export function entryFiles(): Array<{ name: string; kind: FunctionKind; entry: string }> {
  // The stack's own list: a folder listing missed functions/health (the scheduled check), and
  // the bench then recorded a synthError instead of the bundles.
  return FUNCTION_CATALOG.map((fn) => ({
    name: basename(fn.entry, '.ts'),
    kind: fn.kind,
    entry: fn.entry,
  })).sort((a, b) => a.entry.localeCompare(b.entry));
}

/**
 * The entry a function's logical id names: `WorkflowCheckMountTargetsFunction5047463E` →
 * functions/steps/check-mount-targets.ts, `ApicreateVolumeFunction…` → functions/api/
 * create-volume.ts. The longest entry name the id ends with wins, so CheckMountTargetsDeleted
 * never maps to CheckMountTargets.
 */
export function entryForLogicalId(
  logicalId: string,
  entries: ReadonlyArray<{ name: string; kind: FunctionKind; entry: string }>,
): { name: string; kind: FunctionKind; entry: string } | undefined {
  const stem = logicalId.replace(/Function[0-9A-F]{8}$/, '').toLowerCase();
  let best: { name: string; kind: FunctionKind; entry: string } | undefined;
  for (const candidate of entries) {
    const key = candidate.name.replaceAll('-', '').toLowerCase();
    if (stem.endsWith(key) && (!best || key.length > best.name.replaceAll('-', '').length)) {
      best = candidate;
    }
  }
  return best;
}

/** Stand-ins for template references (`Ref`, `Fn::GetAtt`), so the module sees a plausible value. */
function environmentOf(variables: Record<string, unknown> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') environment[name] = value;
    else if (name.endsWith('_ARN'))
      environment[name] =
        `arn:aws:states:us-east-1:123456789012:stateMachine:bench-${name.toLowerCase()}`;
    else environment[name] = `bench-${name.toLowerCase().replaceAll('_', '-')}`;
  }
  return environment;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** Runs `npm run synth` (node infra/app.ts) into `outdir` and maps its functions to bundles. */
async function synthesize(outdir: string): Promise<BundleTarget[]> {
  // CDK_OUTDIR keeps the shared cdk.out of the checkout untouched: others synth there too.
  // cdk.json names no VPCs (an operator's own, which infra/config.ts requires); the bundles do
  // not depend on them, so an example VPC stands in.
  const context = projectContext();
  const service = (context[CONTEXT_KEY] ?? {}) as Record<string, unknown>;
  const { code, output } = await run(
    process.execPath,
    ['infra/app.ts'],
    {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({
        ...context,
        [CONTEXT_KEY]: { vpcIds: ['vpc-0123456789abcdef0'], ...service },
      }),
    },
    300_000,
  );
  if (code !== 0) throw new Error(`infra/app.ts exited with ${code}: ${output.slice(-1500)}`);
  const entries = entryFiles();
  const targets: BundleTarget[] = [];
  for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
      Resources?: Record<string, TemplateFunction>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const entry = entryForLogicalId(logicalId, entries);
      if (!entry) throw new Error(`no functions/** entry matches function ${logicalId}`);
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const key = resource.Properties?.Code?.S3Key;
      const folder =
        typeof assetPath === 'string'
          ? join(outdir, assetPath)
          : typeof key === 'string'
            ? join(outdir, `asset.${key.replace(/\.zip$/, '')}`)
            : undefined;
      const base = (resource.Properties?.Handler ?? 'index.handler').split('.')[0] ?? 'index';
      const bundle =
        folder && [`${base}.mjs`, `${base}.js`].map((name) => join(folder, name)).find(existsSync);
      if (!bundle) throw new Error(`no bundle found for ${logicalId} (asset ${String(key)})`);
      targets.push({
        ...entry,
        file: bundle,
        memoryMB: resource.Properties?.MemorySize ?? 128,
        environment: environmentOf(resource.Properties?.Environment?.Variables),
        logicalId,
      });
    }
  }
  if (targets.length === 0) throw new Error('the synthesized templates hold no Lambda function');
  return targets.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** Where esbuildOptionsFor puts an entry's bundle under `outdir`. */
function bundleFileOf(outdir: string, entry: string): string {
  return join(outdir, entry.replace(/\.ts$/, ''), 'index.mjs');
}

/** The fallback: esbuild with the stack's options, one build per entry as the stack's. */
async function buildDirectly(outdir: string): Promise<BundleTarget[]> {
  const entries = entryFiles();
  await mkdir(outdir, { recursive: true });
  await Promise.all(entries.map((entry) => build(esbuildOptionsFor(entry.entry, outdir))));
  return entries.map((entry) => ({
    ...entry,
    file: bundleFileOf(outdir, entry.entry),
    memoryMB: 256,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'efs-volumes',
      VOLUMES_TABLE: 'efs-volumes',
    },
  }));
}

/** The bundles: from the synth when it works, else built with esbuild directly. */
export async function prepareBundles(outdir: string): Promise<BundleSet> {
  const started = performance.now();
  try {
    const targets = await synthesize(join(outdir, 'cdk.out'));
    return { source: 'synth', targets, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const targets = await buildDirectly(join(outdir, 'esbuild'));
    return {
      source: 'esbuild',
      targets,
      seconds: (performance.now() - started) / 1000,
      synthError: (error as Error).message,
    };
  }
}

export interface PackageShare {
  /** A package (`@aws-sdk/client-ec2`) or, for project code, its folder (`functions/lib`). */
  readonly name: string;
  readonly bytes: number;
}

export interface BundleAnatomy {
  /** `index.mjs`, what a cold start loads. */
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** `index.mjs` and the chunks it imports statically: what a cold start loads. */
  readonly initBytes: number;
  /** All the chunks beside it (`chunks/*.mjs`), those of `initBytes` included. */
  readonly chunkBytes: number;
  /** The size esbuild gives with the stack's options: equal to `bytes` when nothing drifted. */
  readonly rebuiltBytes: number;
  readonly packages: PackageShare[];
  /** For each heavy package: the import chain from the entry to it. */
  readonly chains: Record<string, string[]>;
  readonly includesKubernetesClient: boolean;
}

/** The package a bundled module belongs to (the innermost node_modules), or undefined for project code. */
export function packageOf(path: string): string | undefined {
  const matches = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
  return matches.at(-1)?.[1];
}

function groupOf(path: string): string {
  return packageOf(path) ?? path.split('/').slice(0, 2).join('/');
}

/**
 * The shortest import chain from the entry to any module of `target`, shown as the project
 * files it passes through and then the package: what to cut to drop the package.
 */
export function importChain(meta: Metafile, entry: string, target: string): string[] | undefined {
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let index = 0; index < queue.length; index++) {
    const current = queue[index] as string;
    if (packageOf(current) === target) {
      const chain: string[] = [];
      for (let at: string | undefined = current; at !== undefined; at = previous.get(at)) {
        chain.unshift(packageOf(at) ?? at);
      }
      return chain.filter((step, position) => step !== chain[position - 1]);
    }
    for (const imported of meta.inputs[current]?.imports ?? []) {
      if (imported.external || previous.has(imported.path)) continue;
      previous.set(imported.path, current);
      queue.push(imported.path);
    }
  }
  return undefined;
}

function anatomyOfOutput(
  target: BundleTarget,
  meta: Metafile,
  output: Metafile['outputs'][string],
  entryPoint: string,
  chunks: readonly Metafile['outputs'][string][],
  initBytes: number,
): BundleAnatomy {
  const code = readFileSync(target.file);
  const mapFile = `${target.file}.map`;
  const shares = new Map<string, number>();
  const dependencies = new Set<string>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const group = groupOf(path);
    if (packageOf(path)) dependencies.add(group);
    shares.set(group, (shares.get(group) ?? 0) + input.bytesInOutput);
  }
  const packages = [...shares]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  const chains: Record<string, string[]> = {};
  const heavy = packages.filter((share) => dependencies.has(share.name)).slice(0, 3);
  // In the function's asset at all, index.mjs or a chunk: what it may load.
  const includesKubernetesClient = [output, ...chunks].some((file) =>
    Object.keys(file.inputs).some((path) => packageOf(path) === KUBERNETES_CLIENT_PACKAGE),
  );
  const traced = new Set(heavy.map((share) => share.name));
  if (includesKubernetesClient) traced.add(KUBERNETES_CLIENT_PACKAGE);
  for (const name of traced) {
    const chain = importChain(meta, entryPoint, name);
    if (chain) chains[name] = chain;
  }
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    sourceMapBytes: existsSync(mapFile) ? statSync(mapFile).size : 0,
    initBytes,
    chunkBytes: chunks.reduce((sum, chunk) => sum + chunk.bytes, 0),
    rebuiltBytes: output.bytes,
    packages: packages.slice(0, 8),
    chains,
    includesKubernetesClient,
  };
}

/** An output and every chunk it imports statically, directly or through another: its bytes. */
function initBytesOf(meta: Metafile, output: Metafile['outputs'][string]): number {
  const loaded = new Set([output]);
  for (const file of loaded) {
    for (const imported of file.imports) {
      const chunk = meta.outputs[imported.path];
      if (imported.kind === 'import-statement' && chunk) loaded.add(chunk);
    }
  }
  return [...loaded].reduce((sum, file) => sum + file.bytes, 0);
}

/**
 * Sizes of each bundle and where their bytes come from: an esbuild rebuild of each entry with
 * the stack's options and a metafile (nothing written). `packages` and `chains` are those of
 * `index.mjs`, what a cold start loads.
 */
export async function anatomize(
  targets: readonly BundleTarget[],
  scratch: string,
): Promise<Map<string, BundleAnatomy>> {
  const outdir = join(scratch, 'anatomy');
  const anatomies = new Map<string, BundleAnatomy>();
  await Promise.all(
    targets.map(async (target) => {
      const result = await build({
        ...esbuildOptionsFor(target.entry, outdir),
        write: false,
        metafile: true,
      });
      const meta = result.metafile;
      const files = Object.entries(meta.outputs).filter(([path]) => path.endsWith('.mjs'));
      const output = files.find(([path]) => basename(path) === 'index.mjs')?.[1];
      if (!output || output.entryPoint !== target.entry) {
        throw new Error(`esbuild gave no output for ${target.entry}`);
      }
      const chunks = files.filter(([, file]) => file !== output).map(([, file]) => file);
      anatomies.set(
        target.name,
        anatomyOfOutput(target, meta, output, target.entry, chunks, initBytesOf(meta, output)),
      );
    }),
  );
  return anatomies;
}

/** A path relative to the project root, for messages. */
export function projectPath(path: string): string {
  return relative(PROJECT_ROOT, path);
}
