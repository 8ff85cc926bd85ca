import type { KubeEmulator } from './kube-emulator/index.ts';

/**
 * Points a cluster's Kubernetes API at an emulator: moto's DescribeCluster gives a random
 * endpoint and a CA that is not a certificate, so the functions read KUBE_ENDPOINT_OVERRIDES
 * (see functions/lib/aws/cluster.ts). Other clusters' routes are kept.
 */
export function routeClusterTo(
  clusterName: string,
  emulator: Pick<KubeEmulator, 'endpoint' | 'caData'>,
): void {
  const overrides = JSON.parse(process.env.KUBE_ENDPOINT_OVERRIDES ?? '{}') as Record<
    string,
    unknown
  >;
  overrides[clusterName] = { endpoint: emulator.endpoint, caData: emulator.caData };
  process.env.KUBE_ENDPOINT_OVERRIDES = JSON.stringify(overrides);
}
