import {
  clusterPartition,
  everyVolume,
  type ListPartition,
  MAX_MERGED_PARTITIONS,
  namespacePartition,
} from '../volume/list-pages.ts';
import {
  type AccessPolicy,
  authorize,
  DEFAULT_RESERVED_NAMESPACES,
  matches,
} from './access-policy.ts';

/**
 * The index partitions that hold every volume `caller` may see among those `query` asks for,
 * and as few others as the indexes allow, for GET /volumes (`readListPage` merges them):
 *
 * - a namespace a rule names, of a cluster it names: that namespace's `byNamespace` partition;
 * - a cluster a rule names with namespaces `*`: its `byCluster` partition, less the reserved
 *   namespaces no rule names there;
 * - a rule whose cluster is a pattern (`*`, `team-*`): every volume (`byCreation`), as no
 *   index lists the clusters a pattern matches; `visible` keeps the caller's. A query naming a
 *   cluster the pattern matches reads that cluster's partitions instead.
 *
 * Query filters narrow further: a queried cluster or namespace drops the partitions of the
 * others. More than {@link MAX_MERGED_PARTITIONS} partitions: a cluster's namespaces are read
 * through its `byCluster` partition (most namespaces first) until few enough are left, else
 * every volume. No partition: nothing to read.
 */
export function listPartitions(
  policy: AccessPolicy,
  caller: string,
  query: { readonly clusterName?: string | undefined; readonly namespace?: string | undefined },
): ListPartition[] {
  const clusters = new Map<string, { anyNamespace: boolean; named: Set<string> }>();
  for (const rule of policy.rules) {
    if (!matches(rule.caller, caller)) continue;
    let cluster = rule.cluster;
    if (query.clusterName !== undefined) {
      if (!matches(rule.cluster, query.clusterName)) continue;
      cluster = query.clusterName;
    } else if (cluster.includes('*')) {
      return [everyVolume()];
    }
    const scope = clusters.get(cluster) ?? { anyNamespace: false, named: new Set<string>() };
    if (rule.namespaces.includes('*')) scope.anyNamespace = true;
    for (const namespace of rule.namespaces) if (namespace !== '*') scope.named.add(namespace);
    clusters.set(cluster, scope);
  }
  const reserved = policy.reservedNamespaces ?? DEFAULT_RESERVED_NAMESPACES;
  const allowed = (cluster: string, namespace: string) =>
    authorize(policy, caller, cluster, namespace).allowed;
  const byCluster = new Map<string, ListPartition[]>();
  for (const [cluster, scope] of [...clusters].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let partitions: ListPartition[];
    if (query.namespace !== undefined) {
      partitions = allowed(cluster, query.namespace)
        ? [namespacePartition(cluster, query.namespace)]
        : [];
    } else if (scope.anyNamespace) {
      const hidden = reserved.filter((namespace) => !allowed(cluster, namespace));
      partitions = [clusterPartition(cluster, { except: hidden })];
    } else {
      partitions = [...scope.named]
        .sort()
        .map((namespace) => namespacePartition(cluster, namespace));
    }
    if (partitions.length > 0) byCluster.set(cluster, partitions);
  }
  const count = () => [...byCluster.values()].reduce((sum, list) => sum + list.length, 0);
  while (count() > MAX_MERGED_PARTITIONS) {
    const [widest] = [...byCluster].sort(([, a], [, b]) => b.length - a.length);
    if (!widest || widest[1].length < 2) return [everyVolume()];
    const [cluster] = widest;
    byCluster.set(cluster, [
      clusterPartition(cluster, { only: [...(clusters.get(cluster)?.named ?? [])] }),
    ]);
  }
  return [...byCluster.values()].flat();
}
