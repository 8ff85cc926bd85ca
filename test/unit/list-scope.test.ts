import { describe, expect, it } from 'vitest';
import { type AccessRule, authorize } from '../../functions/lib/service/access-policy.ts';
import { listPartitions } from '../../functions/lib/service/list-scope.ts';
import {
  clusterPartition,
  everyVolume,
  MAX_MERGED_PARTITIONS,
  namespacePartition,
} from '../../functions/lib/volume/list-pages.ts';

const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const CALLER = role('team-a');
const policyOf = (...rules: AccessRule[]) => ({ rules });

describe('listPartitions: what a caller may see, as index partitions', () => {
  it('reads the byNamespace partition of each namespace a rule names', () => {
    // Prepare
    const policy = policyOf({ caller: CALLER, cluster: 'prod', namespaces: ['web', 'api'] });

    // Act / Assess
    expect(listPartitions(policy, CALLER, {})).toEqual([
      namespacePartition('prod', 'api'),
      namespacePartition('prod', 'web'),
    ]);
  });

  it('reads the byCluster partition of a cluster with namespaces *, less the reserved ones', () => {
    // Prepare
    const policy = policyOf(
      { caller: CALLER, cluster: 'prod', namespaces: ['*'] },
      { caller: CALLER, cluster: 'dev', namespaces: ['*', 'kube-system'] },
    );

    // Act / Assess
    expect(listPartitions(policy, CALLER, {})).toEqual([
      clusterPartition('dev', { except: ['kube-node-lease', 'kube-public'] }),
      clusterPartition('prod', { except: ['kube-node-lease', 'kube-public', 'kube-system'] }),
    ]);
  });

  it("ignores other callers' rules, and reads nothing for a caller with none", () => {
    // Prepare
    const policy = policyOf({ caller: role('team-b'), cluster: 'prod', namespaces: ['*'] });

    // Act / Assess
    expect(listPartitions(policy, CALLER, {})).toEqual([]);
    expect(listPartitions({ rules: [] }, CALLER, {})).toEqual([]);
  });

  it('reads every volume for a cluster pattern, unless the query names a cluster it matches', () => {
    // Prepare
    const policy = policyOf(
      { caller: CALLER, cluster: 'team-*', namespaces: ['web'] },
      { caller: CALLER, cluster: 'prod', namespaces: ['api'] },
    );
    const everything = policyOf({ caller: '*', cluster: '*', namespaces: ['*'] });

    // Act / Assess
    expect(listPartitions(policy, CALLER, {})).toEqual([everyVolume()]);
    expect(listPartitions(everything, CALLER, {})).toEqual([everyVolume()]);
    expect(listPartitions(policy, CALLER, { clusterName: 'team-x' })).toEqual([
      namespacePartition('team-x', 'web'),
    ]);
    expect(listPartitions(policy, CALLER, { clusterName: 'other' })).toEqual([]);
    expect(listPartitions(everything, CALLER, { clusterName: 'c1', namespace: 'ns' })).toEqual([
      namespacePartition('c1', 'ns'),
    ]);
  });

  it('narrows to the queried namespace, never to one the caller may not see', () => {
    // Prepare
    const policy = policyOf(
      { caller: CALLER, cluster: 'prod', namespaces: ['*'] },
      { caller: CALLER, cluster: 'dev', namespaces: ['web'] },
    );

    // Act / Assess
    expect(listPartitions(policy, CALLER, { namespace: 'web' })).toEqual([
      namespacePartition('dev', 'web'),
      namespacePartition('prod', 'web'),
    ]);
    expect(listPartitions(policy, CALLER, { namespace: 'kube-system' })).toEqual([]);
    expect(listPartitions(policy, CALLER, { clusterName: 'dev', namespace: 'api' })).toEqual([]);
  });

  it(`merges at most ${MAX_MERGED_PARTITIONS} partitions: a cluster's many namespaces become its byCluster partition`, () => {
    // Prepare
    const many = Array.from({ length: 9 }, (_, index) => `ns-${index}`);
    const policy = policyOf(
      { caller: CALLER, cluster: 'prod', namespaces: many },
      { caller: CALLER, cluster: 'dev', namespaces: ['web', 'api'] },
    );
    const clusters = policyOf(
      ...Array.from({ length: MAX_MERGED_PARTITIONS + 1 }, (_, index) => ({
        caller: CALLER,
        cluster: `c${index}`,
        namespaces: ['web'],
      })),
    );

    // Act / Assess
    expect(listPartitions(policy, CALLER, {})).toEqual([
      namespacePartition('dev', 'api'),
      namespacePartition('dev', 'web'),
      clusterPartition('prod', { only: many }),
    ]);
    expect(listPartitions(clusters, CALLER, {})).toEqual([everyVolume()]);
  });

  it('covers every (cluster, namespace) the policy allows the caller, and no partition it refuses', () => {
    // Prepare
    const policy = policyOf(
      { caller: CALLER, cluster: 'prod', namespaces: ['*'] },
      { caller: CALLER, cluster: 'dev', namespaces: ['web', 'kube-system'] },
      { caller: role('team-b'), cluster: 'stage', namespaces: ['*'] },
    );
    const namespaces = ['web', 'api', 'kube-system', 'kube-public', 'default'];
    const partitions = listPartitions(policy, CALLER, {});
    const covers = (cluster: string, namespace: string) =>
      partitions.some((partition) =>
        partition.index === 'byNamespace'
          ? partition.key === `${cluster}/${namespace}`
          : partition.key === cluster &&
            (partition.namespaces?.includes(namespace) ?? true) &&
            !partition.exceptNamespaces?.includes(namespace),
      );

    // Act / Assess
    for (const cluster of ['prod', 'dev', 'stage']) {
      for (const namespace of namespaces) {
        expect(covers(cluster, namespace), `${cluster}/${namespace}`).toBe(
          authorize(policy, CALLER, cluster, namespace).allowed,
        );
      }
    }
  });
});
