/**
 * A deliberately small OpenAPI v3 surface: the root index and, per group version, the PATCH
 * operations with their query parameters. kubectl reads exactly this to learn that the server
 * validates fields itself (`fieldValidation`), and then skips downloading schemas before
 * `apply`. There are no object schemas: `kubectl explain` will not work.
 */
import { createHash } from 'node:crypto';
import {
  apiVersionOf,
  RESOURCE_TYPES,
  type ResourceType,
  servedGroupVersions,
} from './resources.ts';

const PATCH_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function itemPath(resource: ResourceType): string {
  const root = resource.group ? `/apis/${apiVersionOf(resource)}` : `/api/${resource.version}`;
  return resource.namespaced
    ? `${root}/namespaces/{namespace}/${resource.plural}/{name}`
    : `${root}/${resource.plural}/{name}`;
}

function groupVersionDocument(group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const resource of RESOURCE_TYPES) {
    if (resource.group !== group || resource.version !== version) continue;
    paths[itemPath(resource)] = {
      patch: {
        operationId: `patch${resource.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: resource.kind },
        parameters: PATCH_PARAMETERS.map((name) => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' }, '201': { description: 'Created' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

function groupVersionKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The OpenAPI v3 document at `path` (`/openapi/v3[/…]`), or undefined. */
export function openApiDocument(path: string): Record<string, unknown> | undefined {
  const versions = servedGroupVersions();
  if (path === '/openapi/v3') {
    const paths: Record<string, unknown> = {};
    for (const { group, version } of versions) {
      const key = groupVersionKey(group, version);
      const hash = createHash('sha512')
        .update(JSON.stringify(groupVersionDocument(group, version)))
        .digest('hex')
        .toUpperCase();
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    return { paths };
  }
  const found = versions.find(
    ({ group, version }) => path === `/openapi/v3/${groupVersionKey(group, version)}`,
  );
  return found ? groupVersionDocument(found.group, found.version) : undefined;
}
