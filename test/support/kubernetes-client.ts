// How the tests talk to a Kubernetes emulator as a cluster user would: the client library with
// an EKS token, or the real kubectl.
import { spawn } from 'node:child_process';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { buildEksToken } from '../../functions/lib/kube/eks-token.ts';
import type { KubeEmulator } from '../../local/kube-emulator/index.ts';
import { LOCAL_CREDENTIALS } from '../../local/stack.ts';

/** The object API of an emulator, authenticated with an EKS token for its cluster. */
export async function kubernetesApiFor(emulator: KubeEmulator): Promise<KubernetesObjectApi> {
  const token = await buildEksToken({
    clusterName: emulator.clusterName,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const config = new KubeConfig();
  config.loadFromString(emulator.kubeconfig({ user: { token } }));
  return KubernetesObjectApi.makeApiClient(config);
}

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real kubectl asynchronously: the emulator is served by this very process, which a
 * blocking spawn would stall.
 */
export function runKubectl(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
      ...(options.timeout ? { timeout: options.timeout } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
