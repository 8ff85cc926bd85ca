import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEksToken } from '../../functions/lib/kube/eks-token.ts';
import { type KubeEmulator, startKubeEmulator } from '../../local/kube-emulator/index.ts';
import { type KubectlResult, runKubectl } from '../support/kubernetes-client.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const CLUSTER = 'kubectl-cluster';

const MANIFESTS = `apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: efs.csi.aws.com
spec:
  attachRequired: false
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-sc
provisioner: efs.csi.aws.com
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: efs-pv
spec:
  capacity:
    storage: 5Gi
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: efs-sc
  csi:
    driver: efs.csi.aws.com
    volumeHandle: fs-123::fsap-456
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: team
spec:
  accessModes: [ReadWriteMany]
  storageClassName: efs-sc
  volumeName: efs-pv
  resources:
    requests:
      storage: 5Gi
`;

let emulator: KubeEmulator;
let directory: string;

/** kubectl with one of this file's kubeconfigs and its own cache. */
function kubectl(args: readonly string[], kubeconfig = 'token.kubeconfig'): Promise<KubectlResult> {
  return runKubectl(
    ['--kubeconfig', join(directory, kubeconfig), '--cache-dir', join(directory, 'cache'), ...args],
    { env: { ...process.env, KUBECONFIG: '' }, timeout: 30_000 },
  );
}

beforeAll(async () => {
  emulator = await startKubeEmulator({
    clusterName: CLUSTER,
    stsEndpoint: process.env.AWS_ENDPOINT_URL ?? '',
    credentials: [credentials],
  });
  directory = await mkdtemp(join(tmpdir(), 'kube-emulator-kubectl-'));
  const token = await buildEksToken({ clusterName: CLUSTER, region: 'us-east-1', credentials });
  await writeFile(join(directory, 'token.kubeconfig'), emulator.kubeconfig({ user: { token } }));
  await writeFile(
    join(directory, 'exec.kubeconfig'),
    emulator.kubeconfig({
      user: { exec: { env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' } } },
    }),
  );
  await writeFile(join(directory, 'manifests.yaml'), MANIFESTS);
});

afterAll(async () => {
  await emulator?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('the Kubernetes emulator with kubectl', () => {
  it('applies manifests with server-side apply', async () => {
    const result = await kubectl([
      'apply',
      '--server-side',
      '--field-manager',
      'efs-volumes',
      '-f',
      join(directory, 'manifests.yaml'),
    ]);

    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('persistentvolumeclaim/data serverside-applied');
  });

  it('prints volumes, claims, classes and drivers across namespaces with their status', async () => {
    const result = await kubectl(['get', 'pv,pvc,storageclass,csidriver', '-A']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /persistentvolume\/efs-pv\s+5Gi\s+RWX\s+Retain\s+Bound\s+team\/data\s+efs-sc/,
    );
    expect(result.stdout).toMatch(
      /team\s+persistentvolumeclaim\/data\s+Bound\s+efs-pv\s+5Gi\s+RWX\s+efs-sc/,
    );
    expect(result.stdout).toContain('storageclass.storage.k8s.io/efs-sc');
    expect(result.stdout).toContain('csidriver.storage.k8s.io/efs.csi.aws.com');
  });

  it('answers jsonpath and json queries from plain objects', async () => {
    const phase = await kubectl([
      'get',
      'pvc',
      '-n',
      'team',
      '-o',
      'jsonpath={.items[*].status.phase}',
    ]);
    const json = await kubectl(['get', 'pvc', 'data', '-n', 'team', '-o', 'json']);

    expect(phase.stdout).toBe('Bound');
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'PersistentVolumeClaim',
      spec: { volumeName: 'efs-pv' },
    });
  });

  it('prints the API error for a missing object', async () => {
    const result = await kubectl(['get', 'pvc', 'nope', '-n', 'team']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Error from server (NotFound): persistentvolumeclaims "nope" not found',
    );
  });

  it('authenticates with a token from `aws eks get-token` as an exec plugin', async () => {
    const result = await kubectl(['get', 'ns'], 'exec.kubeconfig');

    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/team\s+Active/);
  });

  it('deletes a claim, after which its Retain volume is Released', async () => {
    const deleted = await kubectl(['delete', 'pvc', 'data', '-n', 'team']);
    const volumes = await kubectl(['get', 'pv', 'efs-pv', '-o', 'jsonpath={.status.phase}']);

    expect(deleted.stdout).toContain('persistentvolumeclaim "data" deleted');
    expect(volumes.stdout).toBe('Released');
  });
});
