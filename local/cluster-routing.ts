// Where local mode's clusters are: moto's DescribeCluster gives a random endpoint and a CA that
// is not a certificate, so the AWS door every function's calls cross (local/lambda/
// aws-call-recorder.ts) answers DescribeCluster of a routed cluster with its Kubernetes
// emulator's endpoint and CA, as EKS would answer with the real ones. The functions read no
// override: they see what they would see in AWS. So does the `aws` CLI pointed at the door
// (.local/endpoints.json `aws`), for `aws eks update-kubeconfig`-style flows.
import type { KubeEmulator } from './kube-emulator/index.ts';

/** Where a cluster's Kubernetes API answers, and the CA (base64 PEM) that signs it. */
export interface ClusterRoute {
  readonly endpoint: string;
  readonly caData: string;
}

const routes = new Map<string, ClusterRoute>();

/**
 * Points a cluster's Kubernetes API at an emulator, for this process's AWS door. Other
 * clusters' routes are kept; routing a cluster again replaces its route.
 */
export function routeClusterTo(
  clusterName: string,
  emulator: Pick<KubeEmulator, 'endpoint' | 'caData'>,
): void {
  routes.set(clusterName, { endpoint: emulator.endpoint, caData: emulator.caData });
}

/** The route of a cluster, if local mode routed it. */
export function clusterRoute(clusterName: string): ClusterRoute | undefined {
  return routes.get(clusterName);
}

const DESCRIBE_CLUSTER_PATH = /^\/clusters\/([^/?]+)\/?(?:\?.*)?$/;
const EKS_SCOPE = /Credential=[^,]*\/eks\/aws4_request/;

/**
 * The routed cluster an HTTP request describes (EKS DescribeCluster: `GET /clusters/{name}`,
 * signed for `eks`), or undefined for any other request.
 */
export function routedClusterOf(request: {
  readonly method?: string;
  readonly url?: string;
  readonly authorization?: string;
}): { readonly name: string; readonly route: ClusterRoute } | undefined {
  if (request.method !== 'GET' || !EKS_SCOPE.test(request.authorization ?? '')) return undefined;
  const encoded = DESCRIBE_CLUSTER_PATH.exec(request.url ?? '')?.[1];
  if (!encoded) return undefined;
  const name = decodeURIComponent(encoded);
  const route = routes.get(name);
  return route ? { name, route } : undefined;
}

/**
 * A DescribeCluster answer (JSON) with the route's endpoint and CA in place of moto's; any
 * other answer (an error, say) as it was. The rest is moto's, which gives the VPC and the
 * cluster security group as EKS does (local/moto_eks.py).
 */
export function withRoute(body: string, route: ClusterRoute): string {
  let parsed: { cluster?: Record<string, unknown> };
  try {
    parsed = JSON.parse(body) as { cluster?: Record<string, unknown> };
  } catch {
    return body;
  }
  if (!parsed.cluster) return body;
  return JSON.stringify({
    ...parsed,
    cluster: {
      ...parsed.cluster,
      endpoint: route.endpoint,
      certificateAuthority: { data: route.caData },
    },
  });
}
