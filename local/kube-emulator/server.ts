/**
 * The HTTPS front of the emulator: authenticate every request, apply injected faults, then
 * route discovery and resource URLs to the API verbs and answer JSON (or a Table for kubectl),
 * with every failure as a Status.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CORE_SCHEMA, load } from 'js-yaml';
import type { AuthenticatedUser, Authenticator } from './authentication.ts';
import { discoveryDocument } from './discovery.ts';
import type { FaultInjector } from './faults.ts';
import type { DeleteOptions, ObjectApi } from './object-api.ts';
import { isJsonMap, type KubeObject } from './objects.ts';
import { openApiDocument } from './openapi.ts';
import type { AuthorizationDecision, UserInfo } from './rbac.ts';
import { type RequestAttributes, requestAttributes } from './request-attributes.ts';
import { parseResourcePath, type ResourcePath } from './request-path.ts';
import { apiVersionOf } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import {
  accessForbidden,
  badRequest,
  failure,
  internalError,
  KubeApiError,
  methodNotAllowed,
  noSuchResource,
  requestEntityTooLarge,
  unauthorized,
  unsupportedMediaType,
} from './status.ts';
import { type IncludeObject, toTable } from './table.ts';

/** The API server's default request body limit. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const HEALTH_PATHS = ['/healthz', '/livez', '/readyz'];

/** One served request, for a logger; never carries the token. */
export interface KubeRequestLog {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly user?: string;
  /** Why a request was refused (authentication) or failed (an internal error). */
  readonly reason?: string;
}

export interface KubeServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  readonly authenticator: Authenticator;
  /** Decides each authenticated request before it is routed (RBAC). */
  readonly authorize: (user: UserInfo, attributes: RequestAttributes) => AuthorizationDecision;
  readonly api: ObjectApi;
  readonly faults: FaultInjector;
  readonly now: () => Date;
  readonly log?: (entry: KubeRequestLog) => void;
}

export interface KubeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Who asks for what: the request's authorization, kept for checks made while serving it. */
interface RequestContext {
  readonly user: AuthenticatedUser;
  readonly attributes: RequestAttributes;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function json(status: number, body: unknown): Reply {
  return { status, body };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw requestEntityTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw requestEntityTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `json: cannot unmarshal the request body: ${error instanceof Error ? error.message : 'invalid JSON'}`,
    );
  }
}

function parseYamlBody(text: string): unknown {
  try {
    // The core schema, as Kubernetes reads YAML: a date-like string stays a string.
    return load(text, { schema: CORE_SCHEMA });
  } catch (error) {
    throw badRequest(
      `error decoding YAML: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid YAML'}`,
    );
  }
}

/** A POST or PUT body: JSON, or YAML when the client says so. */
function parseObjectBody(request: IncomingMessage, text: string): unknown {
  const type = mediaType(request);
  if (type === 'application/yaml') return parseYamlBody(text);
  if (type === '' || type === 'application/json') return parseJsonBody(text);
  throw unsupportedMediaType(type);
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  if (values.some((value) => value !== 'All')) {
    throw badRequest(`dryRun: Unsupported value: "${values.join(',')}": supported values: "All"`);
  }
  return values.length > 0;
}

/** kubectl names the manager explicitly; others default to their User-Agent's program name. */
function fieldManagerOf(request: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = request.headers['user-agent'] ?? '';
  return (agent.split('/')[0] ?? '').slice(0, 128) || 'unknown';
}

function wantsTable(request: IncomingMessage): boolean {
  const accept = request.headers.accept ?? '';
  return accept
    .split(',')
    .some((part) => part.includes('as=Table') && part.includes('g=meta.k8s.io'));
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** List items are served without apiVersion and kind, as the API server does. */
function listOf(
  path: ResourcePath,
  items: readonly KubeObject[],
  resourceVersion: string,
): unknown {
  return {
    kind: `${path.resource.kind}List`,
    apiVersion: apiVersionOf(path.resource),
    metadata: { resourceVersion },
    items: items.map(({ apiVersion: _apiVersion, kind: _kind, ...item }) => item),
  };
}

function deleteOptionsOf(body: string, query: URLSearchParams): DeleteOptions {
  const parsed = body.trim() ? parseJsonBody(body) : {};
  const options = isJsonMap(parsed) ? parsed : {};
  const preconditions = isJsonMap(options.preconditions) ? options.preconditions : {};
  const bodyDryRun = Array.isArray(options.dryRun) && options.dryRun.includes('All');
  return {
    dryRun: isDryRun(query) || bodyDryRun,
    preconditions: {
      ...(typeof preconditions.uid === 'string' ? { uid: preconditions.uid } : {}),
      ...(typeof preconditions.resourceVersion === 'string'
        ? { resourceVersion: preconditions.resourceVersion }
        : {}),
    },
  };
}

class RequestHandler {
  private readonly options: KubeServerOptions;
  private serverAddress = '';

  constructor(options: KubeServerOptions) {
    this.options = options;
  }

  setServerAddress(address: string): void {
    this.serverAddress = address;
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'https://kube-emulator');
    let user: AuthenticatedUser | undefined;
    let reason: string | undefined;
    let reply: Reply;
    try {
      const authentication = await this.options.authenticator.authenticate(
        request.headers.authorization,
      );
      if (!authentication.authenticated) {
        reason = authentication.reason;
        throw unauthorized(authentication.reason);
      }
      user = authentication.user;
      const fault = this.options.faults.take(method, `${url.pathname}${url.search}`);
      if (fault) throw fault;
      const context = {
        user,
        attributes: requestAttributes(method, url.pathname, url.searchParams),
      };
      this.authorize(context);
      reply = await this.route(request, method, url, context);
    } catch (error) {
      if (error instanceof KubeApiError) {
        reply = { status: error.code, body: error.status, headers: error.headers };
      } else {
        reason = error instanceof Error ? error.message : String(error);
        const status = internalError('the emulator failed to serve the request').status;
        reply = { status: 500, body: status };
      }
    }
    this.send(response, reply);
    this.options.log?.({
      method,
      path: url.pathname,
      status: reply.status,
      ...(user ? { user: user.username } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  /**
   * @throws KubeApiError Forbidden when RBAC does not allow the request
   */
  private authorize({ user, attributes }: RequestContext): void {
    const decision = this.options.authorize(user, attributes);
    if (!decision.allowed) throw accessForbidden(user.username, attributes, decision.reason);
  }

  private send(response: ServerResponse, reply: Reply): void {
    const body = typeof reply.body === 'string' ? reply.body : `${JSON.stringify(reply.body)}\n`;
    response.writeHead(reply.status, {
      'Content-Type': reply.contentType ?? 'application/json',
      'Cache-Control': 'no-cache, private',
      'Content-Length': Buffer.byteLength(body),
      ...reply.headers,
    });
    response.end(body);
  }

  private async route(
    request: IncomingMessage,
    method: string,
    url: URL,
    context: RequestContext,
  ): Promise<Reply> {
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const path = parseResourcePath(pathname);
    if (!path) {
      if (method !== 'GET') throw methodNotAllowed(method);
      if (HEALTH_PATHS.includes(pathname))
        return { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' };
      const document = discoveryDocument(pathname, this.serverAddress) ?? openApiDocument(pathname);
      if (!document) throw noSuchResource();
      return json(200, document);
    }
    if (path.subresource !== undefined) {
      if (path.subresource === 'status' && method === 'GET' && path.name !== undefined) {
        return json(200, this.options.api.get({ ...path, name: path.name }));
      }
      throw noSuchResource();
    }
    const body = await readBody(request);
    return path.name === undefined
      ? this.collection(request, method, url.searchParams, path, body)
      : this.item(request, method, url.searchParams, { ...path, name: path.name }, body, context);
  }

  private collection(
    request: IncomingMessage,
    method: string,
    query: URLSearchParams,
    path: ResourcePath,
    body: string,
  ): Reply {
    const { api } = this.options;
    const filter = () => {
      const labels = parseLabelSelector(query.get('labelSelector'));
      const fields = parseFieldSelector(query.get('fieldSelector'));
      return (object: KubeObject) => labels(object) && fields(object);
    };
    switch (method) {
      case 'GET': {
        if (query.get('watch') === 'true' || query.get('watch') === '1') {
          throw methodNotAllowed('watch');
        }
        const { items, resourceVersion } = api.list(path.resource, path.namespace, filter());
        if (wantsTable(request)) {
          return this.table(path, items, resourceVersion, query);
        }
        return json(200, listOf(path, items, resourceVersion));
      }
      case 'POST': {
        if (path.resource.namespaced && path.namespace === undefined) {
          throw methodNotAllowed(method);
        }
        const created = api.create(path.resource, path.namespace, parseObjectBody(request, body), {
          fieldManager: fieldManagerOf(request, query),
          dryRun: isDryRun(query),
        });
        return json(201, created);
      }
      case 'DELETE': {
        const deleted = api.deleteCollection(
          path.resource,
          path.namespace,
          filter(),
          deleteOptionsOf(body, query),
        );
        return json(200, listOf(path, deleted, '0'));
      }
      default:
        throw methodNotAllowed(method);
    }
  }

  private item(
    request: IncomingMessage,
    method: string,
    query: URLSearchParams,
    path: ResourcePath & { readonly name: string },
    body: string,
    context: RequestContext,
  ): Reply {
    const { api } = this.options;
    switch (method) {
      case 'GET': {
        const object = api.get(path);
        return wantsTable(request)
          ? this.table(path, [object], object.metadata.resourceVersion ?? '', query)
          : json(200, object);
      }
      case 'PUT':
        return json(
          200,
          api.replace(path, parseObjectBody(request, body), {
            fieldManager: fieldManagerOf(request, query),
            dryRun: isDryRun(query),
          }),
        );
      case 'PATCH':
        return this.patch(request, query, path, body, context);
      case 'DELETE':
        return json(200, api.delete(path, deleteOptionsOf(body, query)));
      default:
        throw methodNotAllowed(method);
    }
  }

  private patch(
    request: IncomingMessage,
    query: URLSearchParams,
    path: ResourcePath & { readonly name: string },
    body: string,
    context: RequestContext,
  ): Reply {
    const type = mediaType(request);
    const force = query.get('force');
    if (type === 'application/apply-patch+yaml') {
      const fieldManager = query.get('fieldManager');
      if (!fieldManager) throw badRequest('fieldManager is required for apply requests');
      // An apply that creates the object also needs `create`, as the API server checks it
      // (PatchResource's createValidation) once it finds nothing to patch.
      if (!this.options.api.exists(path)) {
        this.authorize({ ...context, attributes: { ...context.attributes, verb: 'create' } });
      }
      const { object, created } = this.options.api.apply(path, parseYamlBody(body), {
        fieldManager,
        force: force === 'true' || force === '1',
        dryRun: isDryRun(query),
      });
      return json(created ? 201 : 200, object);
    }
    if (force !== null) throw badRequest('force is only allowed for apply patches');
    if (
      type === 'application/merge-patch+json' ||
      type === 'application/strategic-merge-patch+json'
    ) {
      return json(
        200,
        this.options.api.mergePatch(path, parseJsonBody(body), {
          fieldManager: fieldManagerOf(request, query),
          dryRun: isDryRun(query),
        }),
      );
    }
    throw unsupportedMediaType(type);
  }

  private table(
    path: ResourcePath,
    items: readonly KubeObject[],
    resourceVersion: string,
    query: URLSearchParams,
  ): Reply {
    return {
      status: 200,
      body: toTable(path.resource.kind, items, {
        resourceVersion,
        now: this.options.now(),
        includeObject: includeObjectOf(query),
      }),
      contentType: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    };
  }
}

/** Starts the HTTPS server; resolves once it listens. */
export async function startKubeServer(options: KubeServerOptions): Promise<KubeServer> {
  const handler = new RequestHandler(options);
  const server: Server = createServer(
    { cert: options.tls.certPem, key: options.tls.keyPem },
    (request, response) => {
      handler.handle(request, response).catch(() => {
        if (!response.headersSent) {
          response.writeHead(500, { 'Content-Type': 'application/json' });
        }
        response.end(JSON.stringify(failure(500, 'InternalError', 'the emulator failed')));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  handler.setServerAddress(
    `${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
