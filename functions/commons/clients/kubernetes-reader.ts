import type { ClusterEndpoint } from '#lib/kube/client';
import { KubernetesReader } from '#lib/kube/read-client';
import { efsClient } from './efs.ts';

/**
 * A read-only view of a cluster's Kubernetes API (over node:https: no Kubernetes client in the
 * bundle), its EKS token signed with the function's own credentials, those its SDK clients use.
 */
export function kubernetesReaderFor(cluster: ClusterEndpoint): Promise<KubernetesReader> {
  return KubernetesReader.connect(
    cluster,
    process.env.AWS_REGION ?? 'us-east-1',
    efsClient.config.credentials,
  );
}
