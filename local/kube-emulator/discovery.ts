/**
 * Legacy (unaggregated) discovery documents: `/version`, `/api`, `/api/v1`, `/apis` and
 * `/apis/<group>[/<version>]`. kubectl and @kubernetes/client-node find kinds through them.
 */
import {
  apiVersionOf,
  RESOURCE_TYPES,
  RESOURCE_VERBS,
  type ResourceType,
  servedGroupVersions,
} from './resources.ts';

/** The Kubernetes version the emulator claims to be (EKS-style git version). */
const EMULATED_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-eks-emulator' };

function versionDocument(): Record<string, unknown> {
  return {
    ...EMULATED_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function groupVersionEntry(group: string, version: string) {
  return { groupVersion: `${group}/${version}`, version };
}

function resourceEntry(resource: ResourceType): Record<string, unknown> {
  return {
    name: resource.plural,
    singularName: resource.singular,
    namespaced: resource.namespaced,
    kind: resource.kind,
    verbs: [...RESOURCE_VERBS],
    ...(resource.shortNames.length > 0 ? { shortNames: [...resource.shortNames] } : {}),
    ...(resource.categories.length > 0 ? { categories: [...resource.categories] } : {}),
  };
}

/**
 * The discovery document at `path`, or undefined when there is none.
 *
 * @param serverAddress - `host:port` as clients reach the server, for `/api`
 */
export function discoveryDocument(
  path: string,
  serverAddress: string,
): Record<string, unknown> | undefined {
  if (path === '/version') return versionDocument();
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  const groups = servedGroupVersions().filter((entry) => entry.group !== '');
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map(({ group, version }) => ({
        name: group,
        versions: [groupVersionEntry(group, version)],
        preferredVersion: groupVersionEntry(group, version),
      })),
    };
  }
  for (const { group, version } of groups) {
    if (path === `/apis/${group}`) {
      return {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: group,
        versions: [groupVersionEntry(group, version)],
        preferredVersion: groupVersionEntry(group, version),
      };
    }
  }
  for (const { group, version } of servedGroupVersions()) {
    const groupVersion = group ? `${group}/${version}` : version;
    if (path === (group ? `/apis/${groupVersion}` : `/api/${version}`)) {
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion,
        resources: RESOURCE_TYPES.filter((resource) => apiVersionOf(resource) === groupVersion).map(
          resourceEntry,
        ),
      };
    }
  }
  return undefined;
}
