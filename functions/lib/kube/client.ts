import { Agent } from 'node:https';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
// The client's own modules, not its index, which also loads what no step uses: exec, attach
// and port-forward (ws), cp (tar-stream), watch, informers, log, top, metrics.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { KubernetesObjectApi } from '@kubernetes/client-node/dist/object.js';
import { cachedEksToken } from './token-cache.ts';

/** Where a cluster's API server is and which CA signs its certificate. */
export interface ClusterEndpoint {
  readonly name: string;
  readonly endpoint: string;
  readonly caData: string;
}

const credentials = fromNodeProviderChain();

/**
 * A KubeConfig whose requests share one connection. The client makes a new https.Agent for
 * every request, so each one opened a TLS connection of its own: a handshake, and the CA
 * parsed again, per object applied or read. Here the first request's agent options (the
 * cluster's CA; no client certificate, the token is a header) make one keep-alive agent that
 * every later request of this client takes. A client lives for one invocation.
 */
class OneConnectionKubeConfig extends KubeConfig {
  #agent: Agent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!(made instanceof Agent)) return;
    this.#agent ??= new Agent({ ...made.options, keepAlive: true });
    context.setAgent(this.#agent);
  }
}

/** A KubeConfig built in memory: no file, no exec plugin, the token held only here. */
export async function kubeConfigFor(cluster: ClusterEndpoint, region: string): Promise<KubeConfig> {
  const kubeConfig = new OneConnectionKubeConfig();
  const user = {
    name: 'efs-volumes',
    token: await cachedEksToken(cluster.name, region, credentials),
  };
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
