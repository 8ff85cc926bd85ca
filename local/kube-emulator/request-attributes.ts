/**
 * What the authorizer is asked about a request, derived from its method and URL alone the way
 * the API server's RequestInfoFactory does it: before routing, so a URL the emulator does not
 * serve is still authorized (and refused) like any other.
 */

/** A request for an API resource: `/api/v1/…` or `/apis/<group>/<version>/…`. */
export interface ResourceAttributes {
  readonly resourceRequest: true;
  /** get, list, watch, create, update, patch, delete, deletecollection (or proxy). */
  readonly verb: string;
  /** '' for the core group. */
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  /** '' when there is none. */
  readonly subresource: string;
  /** '' for cluster-scoped requests; a Namespace's own name for `/api/v1/namespaces/<name>`. */
  readonly namespace: string;
  /** '' for collections (unless a list selects one name with `fieldSelector=metadata.name=`). */
  readonly name: string;
}

/** Any other URL (`/version`, `/api`, `/apis/<group>`, `/healthz`, `/openapi/v3`). */
export interface NonResourceAttributes {
  readonly resourceRequest: false;
  /** The lowercased HTTP method: get, post, put, patch, delete, head. */
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

const VERB_OF_METHOD: Readonly<Record<string, string>> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Verbs named by a path segment (`/api/v1/watch/…`), which then has no subresource. */
const SPECIAL_VERBS = ['proxy', 'watch'];
const NAMESPACE_SUBRESOURCES = ['status', 'finalize'];
/** Go's strconv.ParseBool, as ListOptions decodes `watch`. */
const TRUE_VALUES = ['1', 't', 'T', 'TRUE', 'true', 'True'];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The one name a field selector requires (`metadata.name=x`), as `RequiresExactMatch` finds. */
function nameFromFieldSelector(selector: string | null): string {
  for (const term of (selector ?? '').split(',')) {
    const match = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    const name = match?.[1];
    if (name && name !== '.' && name !== '..' && !/[/%]/.test(name)) return name;
  }
  return '';
}

/**
 * The authorization attributes of a request.
 *
 * @param method - the HTTP method, any case
 * @param pathname - the URL path as sent (percent-encoded)
 * @param query - the URL's query parameters
 */
export function requestAttributes(
  method: string,
  pathname: string,
  query: URLSearchParams,
): RequestAttributes {
  const upperMethod = method.toUpperCase();
  const nonResource: NonResourceAttributes = {
    resourceRequest: false,
    verb: upperMethod.toLowerCase(),
    path: pathname,
  };
  let parts = pathname.split('/').filter(Boolean).map(decodeSegment);
  const prefix = parts[0];
  if (parts.length < 3 || (prefix !== 'api' && prefix !== 'apis')) return nonResource;
  parts = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (parts.length < 3) return nonResource;
    apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  }
  const apiVersion = parts[0] ?? '';
  parts = parts.slice(1);

  let verb = VERB_OF_METHOD[upperMethod] ?? '';
  let verbFromPath = false;
  if (SPECIAL_VERBS.includes(parts[0] ?? '') && parts.length >= 2) {
    verb = parts[0] ?? '';
    parts = parts.slice(1);
    verbFromPath = true;
  }

  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1] ?? '';
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.includes(parts[2] ?? '')) {
        parts = parts.slice(2);
      }
    }
  }
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts.length >= 3 && !verbFromPath ? (parts[2] ?? '') : '';

  if (name === '' && verb === 'get') {
    verb = TRUE_VALUES.includes(query.get('watch') ?? '') ? 'watch' : 'list';
    name = nameFromFieldSelector(query.get('fieldSelector'));
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return {
    resourceRequest: true,
    verb,
    apiGroup,
    apiVersion,
    resource,
    subresource,
    namespace,
    name,
  };
}
