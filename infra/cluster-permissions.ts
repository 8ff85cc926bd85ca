import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * eks:DescribeCluster on the configured clusters: the endpoint and CA every function that talks
 * to a cluster's Kubernetes API reads first (functions/lib/aws/cluster.ts describeCluster).
 */
export function describeClustersStatement(clusterArns: readonly string[]): PolicyStatement {
  return new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [...clusterArns] });
}

/**
 * The clusters' Fargate profiles, listed and each described (selectors and subnets): what
 * `namespaceZones` (functions/lib/aws/fargate-preflight.ts) reads for the create path's
 * preflight and for the health check alike.
 */
export function fargateProfileStatements(clusterArns: readonly string[]): PolicyStatement[] {
  return [
    new PolicyStatement({ actions: ['eks:ListFargateProfiles'], resources: [...clusterArns] }),
    new PolicyStatement({
      actions: ['eks:DescribeFargateProfile'],
      resources: clusterArns.map((arn) => `${arn.replace(':cluster/', ':fargateprofile/')}/*`),
    }),
  ];
}
