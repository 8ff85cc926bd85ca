import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { ClusterEndpoint } from '#lib/kube/client';
import { KubernetesReader } from '#lib/kube/read-client';

// The function's own credentials, as its SDK clients find them (in a bundle, the environment
// the Lambda runtime sets: infra/bundling/lambda-credentials.mjs), as functions/lib/kube/client.ts
// reads them: no SDK client needs to be loaded for a token.
const credentials = fromNodeProviderChain();

/**
 * A read-only view of a cluster's Kubernetes API (over node:https: no Kubernetes client in the
 * bundle), its EKS token signed with the function's own credentials, those its SDK clients use.
 */
export function kubernetesReaderFor(cluster: ClusterEndpoint): Promise<KubernetesReader> {
  return KubernetesReader.connect(cluster, process.env.AWS_REGION ?? 'us-east-1', credentials);
}
