import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { buildEksToken } from './eks-token.ts';

/** Where a cluster's API server is and which CA signs its certificate. */
export interface ClusterEndpoint {
  readonly name: string;
  readonly endpoint: string;
  readonly caData: string;
}

// Tokens are good for 15 minutes from signing; reuse one for 10 so warm Lambdas sign rarely.
const TOKEN_REUSE_MS = 10 * 60 * 1000;
const tokens = new Map<string, { token: string; signedAt: number }>();
const credentials = fromNodeProviderChain();

async function tokenFor(clusterName: string, region: string): Promise<string> {
  const key = `${region}/${clusterName}`;
  const cached = tokens.get(key);
  if (cached && Date.now() - cached.signedAt < TOKEN_REUSE_MS) return cached.token;
  const token = await buildEksToken({ clusterName, region, credentials });
  tokens.set(key, { token, signedAt: Date.now() });
  return token;
}

/** A KubeConfig built in memory: no file, no exec plugin, the token held only here. */
export async function kubeConfigFor(cluster: ClusterEndpoint, region: string): Promise<KubeConfig> {
  const kubeConfig = new KubeConfig();
  const user = { name: 'efs-volumes', token: await tokenFor(cluster.name, region) };
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.endpoint,
        caData: cluster.caData,
        skipTLSVerify: false,
      },
    ],
    users: [user],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: user.name }],
    currentContext: cluster.name,
  });
  return kubeConfig;
}

/** The generic object API of one cluster, authenticated with an EKS token. */
export async function kubernetesApi(
  cluster: ClusterEndpoint,
  region: string,
): Promise<KubernetesObjectApi> {
  return KubernetesObjectApi.makeApiClient(await kubeConfigFor(cluster, region));
}
