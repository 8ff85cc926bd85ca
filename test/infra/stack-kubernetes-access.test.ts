import { describe, expect, it } from 'vitest';
import { KUBERNETES_GROUPS } from '../../infra/kubernetes-access.ts';
import { functionResource, KUBERNETES_CALLERS } from '../support/stack-functions.ts';
import { configured, plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import { getAttTarget, logicalIdOf, resourcesOfType, synthesize } from './synthesize.ts';

// EKS access entries: which roles reach the clusters' Kubernetes APIs, in which RBAC groups.

synthesizeBeforeAll('plain', 'configured');

describe('EKS access entries', () => {
  it('gives each configured cluster one STANDARD entry per Kubernetes-calling role, in its RBAC group', () => {
    // Prepare
    const { stack } = configured;
    const roleId = (role: { node: { defaultChild?: unknown } }) => logicalIdOf(stack, role);
    const expectedGroups = new Map<string, string>([
      [roleId(stack.workflow.kubernetesWriterRole), KUBERNETES_GROUPS.writer],
      [roleId(stack.workflow.leftoverReporterRole), KUBERNETES_GROUPS.reader],
      // A Kubernetes step with a role of its own (find-restore-directory), in its group.
      ...[...stack.workflow.ownKubernetesRoles.values()].map(
        ({ role, group }) => [roleId(role), KUBERNETES_GROUPS[group]] as [string, string],
      ),
      ...[...stack.api.clusterReaderRoles.values()].map(
        (role) => [roleId(role), KUBERNETES_GROUPS.reader] as [string, string],
      ),
      [roleId(stack.requests.role), KUBERNETES_GROUPS.reader],
      [roleId(stack.healthChecks.role), KUBERNETES_GROUPS.reader],
      [roleId(stack.settlement.role), KUBERNETES_GROUPS.reader],
    ]);

    // Act
    const entries = resourcesOfType(configured.resources, 'AWS::EKS::AccessEntry').map(
      ([, entry]) => ({
        cluster: entry.Properties?.ClusterName,
        role: getAttTarget(entry.Properties?.PrincipalArn),
        type: entry.Properties?.Type,
        groups: entry.Properties?.KubernetesGroups,
        policies: entry.Properties?.AccessPolicies,
      }),
    );

    // Assess
    expect(entries).toHaveLength(2 * expectedGroups.size);
    for (const cluster of ['prod', 'dev']) {
      const ofCluster = entries.filter((entry) => entry.cluster === cluster);
      expect(ofCluster.map((entry) => entry.role).sort()).toEqual(
        [...expectedGroups.keys()].sort(),
      );
      for (const entry of ofCluster) {
        expect(entry).toMatchObject({
          type: 'STANDARD',
          groups: [expectedGroups.get(entry.role ?? '')],
        });
        expect(entry.policies).toBeUndefined();
      }
    }
  });

  it('puts the roles of every function that calls Kubernetes in an access entry', () => {
    // Prepare
    const entryRoles = new Set(
      resourcesOfType(configured.resources, 'AWS::EKS::AccessEntry').map(([, entry]) =>
        getAttTarget(entry.Properties?.PrincipalArn),
      ),
    );

    // Act
    const callerRoles = KUBERNETES_CALLERS.map((name) =>
      getAttTarget(functionResource(configured, name).Properties?.Role),
    );

    // Assess
    for (const role of callerRoles) expect(entryRoles).toContain(role);
  });

  it('creates no entry without configured clusters', () => {
    // Prepare
    const { template } = plain;

    // Act
    const entries = template.findResources('AWS::EKS::AccessEntry');

    // Assess
    expect(entries).toEqual({});
  });

  it('in cluster-admin mode associates AmazonEKSClusterAdminPolicy with the writer roles alone, never with a reader role', () => {
    // Prepare
    const synthesized = synthesize({
      config: { clusters: ['prod'], kubernetesAccess: 'cluster-admin' },
    });
    const { workflow } = synthesized.stack;
    const writerRoles = [
      workflow.kubernetesWriterRole,
      ...[...workflow.ownKubernetesRoles.values()]
        .filter(({ group }) => group === 'writer')
        .map(({ role }) => role),
    ].map((role) => logicalIdOf(synthesized.stack, role));
    const policy = (name: string) => ({
      PolicyArn: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:eks::aws:cluster-access-policy/${name}`],
        ],
      },
      AccessScope: { Type: 'cluster' },
    });

    // Act
    const entries = resourcesOfType(synthesized.resources, 'AWS::EKS::AccessEntry').map(
      ([, entry]) => ({
        role: getAttTarget(entry.Properties?.PrincipalArn),
        groups: entry.Properties?.KubernetesGroups,
        policies: entry.Properties?.AccessPolicies,
      }),
    );

    // Assess
    const writers = entries.filter((entry) => writerRoles.includes(entry.role ?? ''));
    const readers = entries.filter((entry) => !writerRoles.includes(entry.role ?? ''));
    expect(writers).toHaveLength(writerRoles.length);
    expect(readers.length).toBeGreaterThan(1);
    for (const writer of writers) {
      expect(writer).toMatchObject({
        groups: undefined,
        policies: [policy('AmazonEKSClusterAdminPolicy')],
      });
    }
    for (const reader of readers) {
      expect(reader).toMatchObject({
        groups: [KUBERNETES_GROUPS.reader],
        policies: [policy('AmazonEKSViewPolicy')],
      });
    }
  });
});
