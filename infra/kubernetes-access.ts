import { Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig, KubernetesAccessMode } from './config.ts';
import { KUBERNETES_GROUP_NAMES, type KubernetesGroup } from './function-catalog.ts';
import { pascalCase } from './workflow-steps.ts';

/**
 * The Kubernetes groups of infra/rbac.yaml. An admin applies that file once per cluster; the
 * access entries only say which IAM roles are in which group.
 */
export const KUBERNETES_GROUPS = KUBERNETES_GROUP_NAMES;
export type { KubernetesGroup };

/** AmazonEKSClusterAdminPolicy: only when the RBAC file cannot be applied. */
const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

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
              ...(props.mode === 'rbac'
                ? { kubernetesGroups: [KUBERNETES_GROUPS[principal.group]] }
                : {
                    accessPolicies: [
                      {
                        policyArn: `arn:${stack.partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
                        accessScope: { type: 'cluster' },
                      },
                    ],
                  }),
            },
          ),
        );
      }
    }
    this.entries = entries;
  }
}
