/**
 * Errors as the API server reports them: `Status` objects with the real reasons, codes and
 * messages, because clients (kubectl, @kubernetes/client-node) branch on them.
 */
import type { RequestAttributes } from './request-attributes.ts';
import { groupKindOf, groupResourceOf, type ResourceType } from './resources.ts';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge';

export interface StatusCause {
  readonly reason?: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** A failed API call; the server answers with its `status` and `headers`. */
export class KubeApiError extends Error {
  readonly status: Status;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: Status, headers: Readonly<Record<string, string>> = {}) {
    super(status.message);
    this.name = 'KubeApiError';
    this.status = status;
    this.headers = headers;
  }
  get code(): number {
    return this.status.code;
  }
}

export function failure(
  code: number,
  reason: StatusReason,
  message: string,
  details?: StatusDetails,
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function objectDetails(resource: ResourceType, name: string): StatusDetails {
  return {
    name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
  };
}

/**
 * A failure about one named object, worded as the API server's `StatusError` constructors do:
 * `<resource>[.<group>] "<name>" <predicate>`, with the object named in `details`.
 */
function objectError(
  code: number,
  reason: StatusReason,
  resource: ResourceType,
  name: string,
  predicate: string,
): KubeApiError {
  return new KubeApiError(
    failure(
      code,
      reason,
      `${groupResourceOf(resource)} "${name}" ${predicate}`,
      objectDetails(resource, name),
    ),
  );
}

export function notFound(resource: ResourceType, name: string): KubeApiError {
  return objectError(404, 'NotFound', resource, name, 'not found');
}

/** An unknown URL: the server has no such resource at all. */
export function noSuchResource(): KubeApiError {
  return new KubeApiError(
    failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  );
}

export function alreadyExists(resource: ResourceType, name: string): KubeApiError {
  return objectError(409, 'AlreadyExists', resource, name, 'already exists');
}

/** An optimistic-concurrency failure (stale resourceVersion or precondition). */
export function modifiedConflict(resource: ResourceType, name: string): KubeApiError {
  return conflict(
    resource,
    name,
    `Operation cannot be fulfilled on ${groupResourceOf(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

export function conflict(
  resource: ResourceType,
  name: string,
  message: string,
  causes?: readonly StatusCause[],
): KubeApiError {
  return new KubeApiError(
    failure(409, 'Conflict', message, {
      ...objectDetails(resource, name),
      ...(causes ? { causes } : {}),
    }),
  );
}

export function invalid(
  resource: ResourceType,
  name: string,
  causes: readonly StatusCause[],
): KubeApiError {
  const describe = (cause: StatusCause) =>
    cause.field ? `${cause.field}: ${cause.message}` : cause.message;
  const summary =
    causes.length === 1 && causes[0] ? describe(causes[0]) : `[${causes.map(describe).join(', ')}]`;
  return new KubeApiError(
    failure(422, 'Invalid', `${groupKindOf(resource)} "${name}" is invalid: ${summary}`, {
      name,
      ...(resource.group ? { group: resource.group } : {}),
      kind: resource.kind,
      causes,
    }),
  );
}

export function forbidden(resource: ResourceType, name: string, why: string): KubeApiError {
  return objectError(403, 'Forbidden', resource, name, `is forbidden: ${why}`);
}

/**
 * A request the authorizer refused, worded as the API server's `ForbiddenStatusError`:
 * `persistentvolumes "pv-x" is forbidden: User "u" cannot delete resource "persistentvolumes"
 * in API group "" at the cluster scope`, then `: <reason>` when the authorizer gave one.
 */
export function accessForbidden(
  username: string,
  attributes: RequestAttributes,
  reason = '',
): KubeApiError {
  const because = reason ? `: ${reason}` : '';
  if (!attributes.resourceRequest) {
    return new KubeApiError(
      failure(
        403,
        'Forbidden',
        `forbidden: User "${username}" cannot ${attributes.verb} path "${attributes.path}"${because}`,
        {},
      ),
    );
  }
  const { verb, apiGroup, resource, subresource, namespace, name } = attributes;
  const resourceText = subresource ? `${resource}/${subresource}` : resource;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const why = `User "${username}" cannot ${verb} resource "${resourceText}" in API group "${apiGroup}" ${scope}${because}`;
  const groupResource = apiGroup ? `${resource}.${apiGroup}` : resource;
  const subject = name ? `${groupResource} "${name}"` : groupResource;
  return new KubeApiError(
    failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
      ...(name ? { name } : {}),
      ...(apiGroup ? { group: apiGroup } : {}),
      kind: resource,
    }),
  );
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError(failure(400, 'BadRequest', message));
}

/** `message` must be a fixed phrase: it is never built from what the client sent. */
export function unauthorized(reason?: string): KubeApiError {
  return new KubeApiError(
    failure(401, 'Unauthorized', reason ? `Unauthorized: ${reason}` : 'Unauthorized'),
  );
}

export function methodNotAllowed(method: string): KubeApiError {
  return new KubeApiError(
    failure(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
      {
        causes: [{ reason: 'MethodNotAllowed', message: `${method} is not supported here` }],
      },
    ),
  );
}

export function unsupportedMediaType(contentType: string): KubeApiError {
  return new KubeApiError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/apply-patch+yaml, application/merge-patch+json, application/strategic-merge-patch+json`,
      {
        causes: [{ reason: 'UnsupportedMediaType', message: contentType }],
      },
    ),
  );
}

export function tooManyRequests(retryAfterSeconds: number): KubeApiError {
  return new KubeApiError(
    failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
      retryAfterSeconds,
    }),
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function internalError(message: string): KubeApiError {
  return new KubeApiError(
    failure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    }),
  );
}

export function serviceUnavailable(message: string): KubeApiError {
  return new KubeApiError(failure(503, 'ServiceUnavailable', message));
}

export function requestEntityTooLarge(): KubeApiError {
  return new KubeApiError(
    failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
  );
}
