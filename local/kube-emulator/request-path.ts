/**
 * Resource URLs: `/api/v1/…` and `/apis/<group>/<version>/…`, cluster-scoped or under
 * `namespaces/<ns>/`, a collection or one named object, optionally with a subresource.
 */
import { findResource, type ResourceType } from './resources.ts';

export interface ResourcePath {
  readonly resource: ResourceType;
  /** Absent for cluster-scoped objects and for lists across all namespaces. */
  readonly namespace?: string;
  /** Absent for a collection. */
  readonly name?: string;
  readonly subresource?: string;
}

/** Subresources of a namespace, which share the shape of a namespaced collection URL. */
const NAMESPACE_SUBRESOURCES = ['status', 'finalize'];

/** The resource a URL path addresses, or undefined when it addresses none the server has. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (!version || rest.length === 0) return undefined;

  const namespacedForm =
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && rest.length === 3 && NAMESPACE_SUBRESOURCES.includes(rest[2] ?? ''));
  if (namespacedForm) {
    const [, namespace, plural = '', name, subresource, ...extra] = rest;
    const resource = findResource(group, version, plural);
    if (!resource?.namespaced || extra.length > 0) return undefined;
    return {
      resource,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    };
  }
  const [plural = '', name, subresource, ...extra] = rest;
  const resource = findResource(group, version, plural);
  if (!resource || extra.length > 0 || (resource.namespaced && name !== undefined)) {
    return undefined;
  }
  return {
    resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
