import { Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig, KubernetesAccessMode } from './config.ts';
import { KUBERNETES_GROUP_NAMES, type KubernetesGroup } from './kubernetes-groups.ts';
import { pascalCase } from './naming.ts';

/**
 * The Kubernetes groups of infra/rbac.yaml. An admin applies that file once per cluster; the
 * access entries only say which IAM roles are in which group.
 */
export const KUBERNETES_GROUPS = KUBERNETES_GROUP_NAMES;
export type { KubernetesGroup };

/** AmazonEKSClusterAdminPolicy: only when the RBAC file cannot be applied, and only for writers. */
const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
/**
 * What the reader roles get in cluster-admin mode: read-only, no Secrets. The API's roles
 * answer callers, so they must never hold admin, whatever the mode.
 */
const READER_POLICY = 'AmazonEKSViewPolicy';

export interface KubernetesAccessProps {
  readonly clusters: readonly ClusterConfig[];
  readonly mode: KubernetesAccessMode;
  /** Each role that calls the Kubernetes API, with the group it belongs in. */
  readonly principals: readonly {
    readonly id: string;
    readonly role: IRole;
    readonly group: KubernetesGroup;
  }[];
}

/**
 * What an access entry grants. In `rbac` mode, the group of infra/rbac.yaml. In
 * `cluster-admin` mode the writers get AmazonEKSClusterAdminPolicy; the readers keep their
 * group and get AmazonEKSViewPolicy, never admin. AmazonEKSViewPolicy is namespaced reads
 * (like Kubernetes' `view`): the PersistentVolume reads of the leftover report still need
 * the reader ClusterRole of infra/rbac.yaml.
 */
function accessFor(mode: KubernetesAccessMode, group: KubernetesGroup, partition: string) {
  if (mode === 'rbac') return { kubernetesGroups: [KUBERNETES_GROUPS[group]] };
  const policy = (name: string) => ({
    policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${name}`,
    accessScope: { type: 'cluster' },
  });
  return group === 'writer'
    ? { accessPolicies: [policy(CLUSTER_ADMIN_POLICY)] }
    : { kubernetesGroups: [KUBERNETES_GROUPS[group]], accessPolicies: [policy(READER_POLICY)] };
}

/**
 * One EKS access entry (`AWS::EKS::AccessEntry`) per cluster and role, so the functions'
 * EKS tokens authenticate. The cluster's authentication mode must include API.
 */
export class KubernetesAccess extends Construct {
  readonly entries: readonly CfnAccessEntry[];

  constructor(scope: Construct, id: string, props: KubernetesAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const entries: CfnAccessEntry[] = [];
    for (const cluster of props.clusters) {
      for (const principal of props.principals) {
        entries.push(
          new CfnAccessEntry(
            this,
            `${pascalCase(cluster.name.replaceAll('_', '-'))}${principal.id}`,
            {
              clusterName: cluster.name,
              principalArn: principal.role.roleArn,
              type: 'STANDARD',
              ...accessFor(props.mode, principal.group, stack.partition),
            },
          ),
        );
      }
    }
    this.entries = entries;
  }
}
