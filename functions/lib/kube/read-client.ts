import { request } from 'node:https';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { KubernetesRequestError, TransientError } from '../errors.ts';
import type { ClusterEndpoint } from './client.ts';
import { cachedEksToken } from './token-cache.ts';

/** A pod's claim references, as much of a Pod as this reader needs. */
interface PodList {
  items?: Array<{
    metadata?: { name?: string };
    status?: { phase?: string };
    spec?: { volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> };
  }>;
}

const TIMEOUT_MS = 5000;

/**
 * A few read-only GETs against a cluster's API, on node:https alone: the API functions use it
 * so their bundles stay free of the Kubernetes client (~1.4 MB).
 */
export class KubernetesReader {
  readonly #cluster: ClusterEndpoint;
  readonly #token: string;

  private constructor(cluster: ClusterEndpoint, token: string) {
    this.#cluster = cluster;
    this.#token = token;
  }

  static async connect(
    cluster: ClusterEndpoint,
    region: string,
    credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>,
  ): Promise<KubernetesReader> {
    return new KubernetesReader(cluster, await cachedEksToken(cluster.name, region, credentials));
  }

  /** Any object by its API path; undefined when it does not exist. */
  async readObject<T>(path: string): Promise<T | undefined> {
    const { status, body } = await this.#get(path);
    return status === 404 ? undefined : (JSON.parse(body) as T);
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    return (await this.#get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`)).status === 200;
  }

  async claimExists(namespace: string, name: string): Promise<boolean> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`;
    return (await this.#get(path)).status === 200;
  }

  /** Names of the pods of `namespace` that mount the claim and have not finished. */
  async podsUsingClaim(namespace: string, claimName: string): Promise<string[]> {
    const { status, body } = await this.#get(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    );
    if (status === 404) return [];
    const pods = JSON.parse(body) as PodList;
    return (pods.items ?? [])
      .filter((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
      .filter((pod) =>
        pod.spec?.volumes?.some((volume) => volume.persistentVolumeClaim?.claimName === claimName),
      )
      .map((pod) => pod.metadata?.name ?? '?');
  }

  #get(path: string): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.#cluster.endpoint);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'GET',
          ca: Buffer.from(this.#cluster.caData, 'base64'),
          headers: { Authorization: `Bearer ${this.#token}`, Accept: 'application/json' },
          timeout: TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const body = Buffer.concat(chunks).toString('utf8');
            if (status === 429 || status >= 500) {
              reject(new TransientError(`Kubernetes API answered ${status} to GET ${path}`));
            } else if (status !== 200 && status !== 404) {
              reject(
                new KubernetesRequestError(
                  `Kubernetes API refused GET ${path} with ${status}`,
                  status,
                ),
              );
            } else {
              resolve({ status, body });
            }
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${path} timed out`)));
      outgoing.on('error', (error) =>
        reject(
          new TransientError(`Kubernetes API unreachable: ${error.message}`, { cause: error }),
        ),
      );
      outgoing.end();
    });
  }
}
