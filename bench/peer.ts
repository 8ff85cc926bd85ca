// The peer: the walk-through's manual procedure (manual-procedure.sh: aws CLI and kubectl)
// next to ours (POST /volumes → READY through the local API), on the same moto and Kubernetes
// emulator, one volume each, alternating, several times.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEksToken } from '../functions/lib/kube/eks-token.ts';
import type { LocalStack } from '../local/stack.ts';
import { createVolume, waitUntilReady } from './local-api.ts';

const SCRIPT = new URL('manual-procedure.sh', import.meta.url).pathname;

export interface ManualRun {
  readonly seconds: number;
  /** Seconds per step of the procedure, in order. */
  readonly steps: ReadonlyArray<{ readonly step: string; readonly seconds: number }>;
}

/** Runs manual-procedure.sh for one volume and times it and each of its steps. */
export async function runManualProcedure(
  stack: LocalStack,
  namespace: string,
  volumeName: string,
): Promise<ManualRun> {
  const folder = await mkdtemp(join(tmpdir(), 'bench-manual-'));
  try {
    // A static EKS token: minting one per kubectl call (`aws eks get-token` as exec plugin)
    // would add a CLI start to each of them; the peer is not charged for it.
    const token = await buildEksToken({
      clusterName: stack.clusterName,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const kubeconfig = join(folder, 'kubeconfig');
    await writeFile(kubeconfig, stack.emulator.kubeconfig({ user: { token } }), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: folder,
      MOTO: stack.aws,
      CLUSTER_NAME: stack.clusterName,
      NAMESPACE: namespace,
      VOLUME_NAME: volumeName,
      KUBECONFIG: kubeconfig,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(folder, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(folder, 'aws-credentials'),
      AWS_PAGER: '',
    };
    return await new Promise<ManualRun>((resolve, reject) => {
      const started = performance.now();
      const marks: Array<{ step: string; at: number }> = [];
      const child = spawn('bash', [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const step = /^step (\S+)$/.exec(line)?.[1];
          if (step) marks.push({ step, at: performance.now() });
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-3000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const ended = performance.now();
        if (code !== 0) {
          reject(new Error(`manual-procedure.sh exited with ${code}: ${stderr}`));
          return;
        }
        const steps = marks
          .filter((mark) => mark.step !== 'done')
          .map((mark, index) => ({
            step: mark.step,
            seconds: ((marks[index + 1]?.at ?? ended) - mark.at) / 1000,
          }));
        resolve({ seconds: (ended - started) / 1000, steps });
      });
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Ours for one volume: POST /volumes, then GET every `pauseMs` until READY; seconds. */
export async function runOurs(
  stack: LocalStack,
  namespace: string,
  volumeName: string,
  pauseMs = 10,
): Promise<number> {
  const started = performance.now();
  const created = await createVolume(
    stack.api,
    { clusterName: stack.clusterName, namespace, name: volumeName, reclaimPolicy: 'Delete' },
    volumeName,
  );
  const readyAt = await waitUntilReady(stack.api, created.id, { pauseMs, timeoutMs: 120_000 });
  return (readyAt - started) / 1000;
}
