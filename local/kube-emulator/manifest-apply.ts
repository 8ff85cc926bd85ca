/**
 * Applies a multi-document YAML file (infra/rbac.yaml) to an emulator through its own HTTPS
 * API, as an operator's `kubectl apply --server-side -f` would: one server-side apply PATCH per
 * object, authenticated and authorized like any other caller.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { isJsonMap } from './objects.ts';
import { apiVersionOf, findResourceByKind } from './resources.ts';

export interface ApplyManifestsOptions {
  /** A bearer token of a caller allowed to apply the objects (an EKS token of a cluster admin). */
  readonly token: string;
  /** @default 'kubectl', as `kubectl apply --server-side` names itself */
  readonly fieldManager?: string;
  /** Take over fields other managers own (`--force-conflicts`). @default false */
  readonly force?: boolean;
}

/** One object applied: `created` when the apply made it. */
export interface AppliedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly created: boolean;
}

/** Where the API is: a started emulator (or any cluster with a CA in PEM). */
export interface ApiServerTarget {
  readonly endpoint: string;
  readonly caPem: string;
}

function send(
  target: ApiServerTarget,
  path: string,
  body: string,
  token: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(path, target.endpoint),
      {
        method: 'PATCH',
        ca: target.caPem,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/apply-patch+yaml',
          Accept: 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function statusMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isJsonMap(parsed) && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status: fall through to the raw text
  }
  return text.slice(0, 200);
}

/**
 * Server-side applies every object of a multi-document YAML text, in order.
 *
 * @throws Error naming the object and the API's message when a document is not a served kind
 *   or an apply is refused (the objects before it stay applied, as with kubectl)
 */
export async function applyManifests(
  target: ApiServerTarget,
  yaml: string,
  options: ApplyManifestsOptions,
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  let documents: unknown[];
  try {
    documents = loadAll(yaml, null, { schema: CORE_SCHEMA });
  } catch (error) {
    throw new Error(`invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  for (const object of documents) {
    if (object === null || object === undefined) continue;
    if (!isJsonMap(object) || !isJsonMap(object.metadata)) {
      throw new Error('every document must be a Kubernetes object with metadata');
    }
    const { apiVersion, kind } = object;
    const name = object.metadata.name;
    const resource = findResourceByKind(String(apiVersion), String(kind));
    if (!resource || typeof name !== 'string' || !name) {
      throw new Error(`cannot apply ${String(apiVersion)} ${String(kind)} ${String(name)}`);
    }
    const namespace = resource.namespaced
      ? typeof object.metadata.namespace === 'string'
        ? object.metadata.namespace
        : 'default'
      : undefined;
    const root = resource.group ? `/apis/${apiVersionOf(resource)}` : `/api/${resource.version}`;
    const collection = namespace
      ? `${root}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
      : `${root}/${resource.plural}`;
    const query = new URLSearchParams({ fieldManager: options.fieldManager ?? 'kubectl' });
    if (options.force) query.set('force', 'true');
    const { status, text } = await send(
      target,
      `${collection}/${encodeURIComponent(name)}?${query}`,
      JSON.stringify(object),
      options.token,
    );
    if (status !== 200 && status !== 201) {
      throw new Error(`applying ${kind} ${name} failed (${status}): ${statusMessage(text)}`);
    }
    applied.push({
      kind: resource.kind,
      name,
      ...(namespace ? { namespace } : {}),
      created: status === 201,
    });
  }
  return applied;
}

/** {@link applyManifests} of a file, e.g. `infra/rbac.yaml`. */
export async function applyManifestFile(
  target: ApiServerTarget,
  path: string,
  options: ApplyManifestsOptions,
): Promise<AppliedObject[]> {
  return applyManifests(target, await readFile(path, 'utf8'), options);
}
