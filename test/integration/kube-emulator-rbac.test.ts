import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyVolumeManifests,
  claimPhase,
  deleteVolumeManifests,
} from '../../functions/lib/kube/apply.ts';
import { buildEksToken } from '../../functions/lib/kube/eks-token.ts';
import { KubernetesReader } from '../../functions/lib/kube/read-client.ts';
import { persistentVolumeName, VOLUME_ID_LABEL } from '../../functions/lib/volume/names.ts';
import { KUBERNETES_GROUPS } from '../../infra/kubernetes-access.ts';
import {
  applyManifestFile,
  applyManifests,
  type KubeEmulator,
  type KubeRequestLog,
  startKubeEmulator,
} from '../../local/kube-emulator/index.ts';
import { runKubectl } from '../support/kubernetes-client.ts';
import { VOLUME_ID, volumeSpec } from '../unit/fixtures.ts';

const CLUSTER = 'rbac-cluster';
const ACCOUNT = '123456789012';
const LONG_TERM = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** What moto's GetCallerIdentity answers for long-term keys it does not know. */
const MOTO_USER = `arn:aws:iam::${ACCOUNT}:user/moto`;
const RBAC_YAML = 'infra/rbac.yaml';

let emulator: KubeEmulator;
let directory: string;
const logged: KubeRequestLog[] = [];
const identities: Record<'writer' | 'reader' | 'stranger', AwsCredentialIdentity> = {
  writer: LONG_TERM,
  reader: LONG_TERM,
  stranger: LONG_TERM,
};
const roleArns: Record<string, string> = {};

/** One AWS query API call to moto, signed as the SDK would sign it. */
async function callMoto(service: 'iam' | 'sts', parameters: Record<string, string>) {
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL ?? '');
  const body = new URLSearchParams(parameters).toString();
  const signer = new SignatureV4({
    credentials: LONG_TERM,
    region: 'us-east-1',
    service,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body,
    }),
  );
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: signed.headers,
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${parameters.Action} failed: ${text}`);
  const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
  return element;
}

/** A new role in moto and a session of it: a distinct caller for the emulator. */
async function assumeNewRole(label: string): Promise<AwsCredentialIdentity> {
  const roleName = `efs-volumes-${label}-${randomUUID().slice(0, 8)}`;
  const created = await callMoto('iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    }),
  });
  roleArns[label] = created('Arn');
  const assumed = await callMoto('sts', {
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: created('Arn'),
    RoleSessionName: `${label}-session`,
  });
  return {
    accessKeyId: assumed('AccessKeyId'),
    secretAccessKey: assumed('SecretAccessKey'),
    sessionToken: assumed('SessionToken'),
  };
}

function tokenOf(credentials: AwsCredentialIdentity): Promise<string> {
  return buildEksToken({ clusterName: CLUSTER, region: 'us-east-1', credentials });
}

async function objectApiOf(credentials: AwsCredentialIdentity): Promise<KubernetesObjectApi> {
  const config = new KubeConfig();
  config.loadFromString(emulator.kubeconfig({ user: { token: await tokenOf(credentials) } }));
  return KubernetesObjectApi.makeApiClient(config);
}

function kubectl(args: readonly string[], kubeconfig: string) {
  return runKubectl(
    ['--kubeconfig', join(directory, kubeconfig), '--cache-dir', join(directory, 'cache'), ...args],
    { env: { ...process.env, KUBECONFIG: '' }, timeout: 30_000 },
  );
}

/** The error of a call that must fail, as the client library reports it. */
async function refusal(
  call: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      return { code: error.code, body: body as Record<string, unknown> };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

function persistentVolume(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteMany'],
      csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1::fsap-1' },
    },
  };
}

beforeAll(async () => {
  identities.writer = await assumeNewRole('writer');
  identities.reader = await assumeNewRole('reader');
  identities.stranger = await assumeNewRole('stranger');
  emulator = await startKubeEmulator({
    clusterName: CLUSTER,
    stsEndpoint: process.env.AWS_ENDPOINT_URL ?? '',
    credentials: [LONG_TERM, identities.writer, identities.reader, identities.stranger].map(
      ({ accessKeyId, secretAccessKey }) => ({ accessKeyId, secretAccessKey }),
    ),
    namespaces: ['default', 'kube-system', 'team-a'],
    accessEntries: [
      { principalArn: roleArns.writer ?? '', kubernetesGroups: [KUBERNETES_GROUPS.writer] },
      { principalArn: roleArns.reader ?? '', kubernetesGroups: [KUBERNETES_GROUPS.reader] },
    ],
    clusterAdmins: [MOTO_USER],
    log: (entry) => logged.push(entry),
  });
  directory = await mkdtemp(join(tmpdir(), 'kube-emulator-rbac-'));
  for (const [name, credentials] of Object.entries({ admin: LONG_TERM, ...identities })) {
    await writeFile(
      join(directory, `${name}.kubeconfig`),
      emulator.kubeconfig({ user: { token: await tokenOf(credentials) } }),
    );
  }
});

afterAll(async () => {
  await emulator?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('the Kubernetes emulator with access entries and RBAC', () => {
  it('lets an admin apply infra/rbac.yaml with kubectl client-side, delete it, and apply it server-side', async () => {
    // One after the other, not on the same objects: kubectl's migration of client-side apply
    // ownership to server-side apply sends a JSON patch, which the emulator does not serve.
    const clientSide = await kubectl(['apply', '-f', RBAC_YAML], 'admin.kubeconfig');
    const deleted = await kubectl(['delete', '-f', RBAC_YAML], 'admin.kubeconfig');
    const serverSide = await kubectl(
      ['apply', '--server-side', '-f', RBAC_YAML],
      'admin.kubeconfig',
    );
    const listed = await kubectl(['get', 'clusterrolebindings', '-o', 'wide'], 'admin.kubeconfig');

    expect(clientSide.stderr).toBe('');
    expect(clientSide.stdout).toContain(
      'clusterrole.rbac.authorization.k8s.io/efs-volumes created',
    );
    expect(deleted.stdout).toContain(
      'clusterrolebinding.rbac.authorization.k8s.io "efs-volumes-reader" deleted',
    );
    expect(serverSide.stderr).toBe('');
    expect(serverSide.stdout).toContain(
      'clusterrolebinding.rbac.authorization.k8s.io/efs-volumes-reader serverside-applied',
    );
    expect(listed.stdout).toMatch(
      /efs-volumes-reader\s+ClusterRole\/efs-volumes-reader\s+\S+\s+efs-volumes-reader/,
    );
    expect(listed.stdout).toMatch(/system:discovery\s+ClusterRole\/system:discovery/);
  });

  it('applies infra/rbac.yaml again through applyManifestFile as an admin, changing nothing', async () => {
    const applied = await applyManifestFile(emulator, RBAC_YAML, {
      token: await tokenOf(LONG_TERM),
    });

    expect(applied.map(({ kind, name, created }) => `${kind}/${name}/${created}`)).toEqual([
      'ClusterRole/efs-volumes/false',
      'ClusterRoleBinding/efs-volumes/false',
      'ClusterRole/efs-volumes-mount-check/false',
      'ClusterRoleBinding/efs-volumes-mount-check/false',
      'ClusterRole/efs-volumes-reader/false',
      'ClusterRoleBinding/efs-volumes-reader/false',
    ]);
  });

  it('lets the writer group server-side apply a PersistentVolume and delete it', async () => {
    const api = await objectApiOf(identities.writer);

    const applied = await api.patch(
      persistentVolume('pv-writer'),
      undefined,
      undefined,
      'efs-volumes',
      true,
      PatchStrategy.ServerSideApply,
    );
    await api.delete({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-writer' },
    });

    expect(applied.metadata?.name).toBe('pv-writer');
    expect(emulator.objects().some((object) => object.metadata.name === 'pv-writer')).toBe(false);
    expect(logged.find((entry) => entry.path === '/api/v1/persistentvolumes/pv-writer')?.user).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArns.writer?.split('/').at(-1)}/writer-session`,
    );
  });

  it('lets the reader group get a namespace and list pods, and refuses its PATCH of a PV with 403', async () => {
    const reader = await KubernetesReader.connect(
      { name: CLUSTER, endpoint: emulator.endpoint, caData: emulator.caData },
      'us-east-1',
      identities.reader,
    );
    const api = await objectApiOf(identities.reader);

    const namespaceExists = await reader.namespaceExists('team-a');
    const pods = await reader.podsUsingClaim('team-a', 'data');
    const refused = await refusal(
      api.patch(
        persistentVolume('pv-reader'),
        undefined,
        undefined,
        'efs-volumes',
        true,
        PatchStrategy.ServerSideApply,
      ),
    );

    expect(namespaceExists).toBe(true);
    expect(pods).toEqual([]);
    expect(refused.code).toBe(403);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: `persistentvolumes "pv-reader" is forbidden: User "arn:aws:sts::${ACCOUNT}:assumed-role/${roleArns.reader?.split('/').at(-1)}/reader-session" cannot patch resource "persistentvolumes" in API group "" at the cluster scope`,
      details: { name: 'pv-reader', kind: 'persistentvolumes' },
    });
  });

  it('prints the Forbidden error in kubectl, with the namespace it was refused in', async () => {
    const result = await kubectl(['delete', 'pvc', 'data', '-n', 'team-a'], 'reader.kubeconfig');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Error from server \(Forbidden\): persistentvolumeclaims "data" is forbidden: User ".*reader-session" cannot delete resource "persistentvolumeclaims" in API group "" in the namespace "team-a"/,
    );
  });

  it('answers a caller without an access entry with 401, discovery included', async () => {
    const result = await kubectl(['get', 'ns'], 'stranger.kubeconfig');
    const api = await objectApiOf(identities.stranger);

    const refused = await refusal(
      api.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unauthorized');
    expect(refused.code).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('allows every request the three Kubernetes steps and the readers make under rbac.yaml', async () => {
    const writer = await objectApiOf(identities.writer);
    const reader = await KubernetesReader.connect(
      { name: CLUSTER, endpoint: emulator.endpoint, caData: emulator.caData },
      'us-east-1',
      identities.reader,
    );
    const spec = volumeSpec({ clusterName: CLUSTER, namespace: 'team-a', name: 'shared-data' });
    const first = logged.length;

    const applied = await applyVolumeManifests(writer, {
      volumeId: VOLUME_ID,
      spec,
      fileSystemId: 'fs-0123456789abcdef0',
      accessPointId: 'fsap-0123456789abcdef0',
    });
    const reapplied = await applyVolumeManifests(writer, {
      volumeId: VOLUME_ID,
      spec,
      fileSystemId: 'fs-0123456789abcdef0',
      accessPointId: 'fsap-0123456789abcdef0',
    });
    const phase = await claimPhase(writer, 'team-a', 'shared-data');
    const readerChecks = [
      await reader.namespaceExists('team-a'),
      await reader.claimExists('team-a', 'shared-data'),
      await reader.readObject(`/api/v1/persistentvolumes/${applied.persistentVolumeName}`),
      await reader.podsUsingClaim('team-a', 'shared-data'),
    ];
    const deleted = await deleteVolumeManifests(writer, VOLUME_ID, spec);
    const requests = logged.slice(first);

    expect(applied.createdStorageClass).toBe(true);
    expect(reapplied.createdStorageClass).toBe(false);
    expect(phase).toBe('Bound');
    expect(readerChecks).toEqual([
      true,
      true,
      expect.objectContaining({ kind: 'PersistentVolume' }),
      [],
    ]);
    expect(deleted).toEqual([
      'PersistentVolumeClaim/team-a/shared-data',
      `PersistentVolume/${applied.persistentVolumeName}`,
      'StorageClass/efs-sc',
    ]);
    expect(
      emulator.objects().filter((object) => object.kind === 'CSIDriver'),
      'the CSIDriver is never deleted',
    ).toHaveLength(1);
    expect(requests.filter((entry) => entry.status === 401 || entry.status === 403)).toEqual([]);
    expect(new Set(requests.map((entry) => entry.method))).toEqual(
      new Set(['GET', 'PATCH', 'DELETE']),
    );
  });

  it('needs create as well as patch for a server-side apply that creates the object', async () => {
    const readerName = `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArns.reader?.split('/').at(-1)}/reader-session`;
    await applyManifests(
      emulator,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-patcher}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pv-patcher}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pv-patcher}
subjects: [{kind: User, name: "${readerName}"}]
`,
      { token: await tokenOf(LONG_TERM) },
    );
    const admin = await objectApiOf(LONG_TERM);
    const patcher = await objectApiOf(identities.reader);
    const apply = (api: KubernetesObjectApi, name: string) =>
      api.patch(
        { ...persistentVolume(name), metadata: { name, labels: { by: 'patcher' } } },
        undefined,
        undefined,
        'efs-volumes',
        true,
        PatchStrategy.ServerSideApply,
      );
    await apply(admin, 'pv-existing');

    const updated = await apply(patcher, 'pv-existing');
    const refused = await refusal(apply(patcher, 'pv-new'));

    expect(updated.metadata?.labels).toEqual({ by: 'patcher' });
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      `persistentvolumes "pv-new" is forbidden: User "${readerName}" cannot create resource "persistentvolumes" in API group "" at the cluster scope`,
    );
    expect(emulator.objects().some((object) => object.metadata.name === 'pv-new')).toBe(false);
  });
  it('refuses the writer group deleting the CSIDriver, and touching StorageClasses rbac.yaml does not name', async () => {
    const admin = await objectApiOf(LONG_TERM);
    const writer = await objectApiOf(identities.writer);
    const storageClass = (name: string) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'ebs.csi.aws.com',
    });
    await admin.patch(
      storageClass('gp3-team-b'),
      undefined,
      undefined,
      'admin',
      true,
      PatchStrategy.ServerSideApply,
    );
    await admin.patch(
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSIDriver',
        metadata: { name: 'efs.csi.aws.com' },
        spec: { attachRequired: false },
      },
      undefined,
      undefined,
      'admin',
      true,
      PatchStrategy.ServerSideApply,
    );

    const refusals = await Promise.all([
      refusal(
        writer.delete({
          apiVersion: 'storage.k8s.io/v1',
          kind: 'CSIDriver',
          metadata: { name: 'efs.csi.aws.com' },
        }),
      ),
      refusal(writer.delete(storageClass('gp3-team-b'))),
      refusal(writer.read(storageClass('gp3-team-b'))),
      refusal(
        writer.patch(
          { ...storageClass('gp3-team-b'), metadata: { name: 'gp3-team-b', labels: { x: 'y' } } },
          undefined,
          undefined,
          'efs-volumes',
          true,
          PatchStrategy.ServerSideApply,
        ),
      ),
    ]);

    expect(refusals.map((refused) => refused.code)).toEqual([403, 403, 403, 403]);
    expect(refusals[0]?.body.message).toMatch(
      /csidrivers.storage.k8s.io "efs.csi.aws.com" is forbidden: .* cannot delete resource "csidrivers"/,
    );
    expect(
      emulator.objects().filter((object) => object.metadata.name === 'gp3-team-b'),
    ).toHaveLength(1);
  });

  it('leaves objects bearing the volume names alone when they lack its ownership labels', async () => {
    const volumeId = 'vol-0000000000000000000f';
    const admin = await objectApiOf(LONG_TERM);
    const writer = await objectApiOf(identities.writer);
    const spec = volumeSpec({ clusterName: CLUSTER, namespace: 'team-a', name: 'not-ours' });
    const foreign = { [VOLUME_ID_LABEL]: 'vol-someone-else' };
    const apply = (object: Record<string, unknown>) =>
      admin.patch(object, undefined, undefined, 'admin', true, PatchStrategy.ServerSideApply);
    await apply({
      ...persistentVolume(persistentVolumeName(volumeId)),
      metadata: { name: persistentVolumeName(volumeId), labels: foreign },
    });
    await apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'not-ours', namespace: 'team-a', labels: foreign },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } },
    });
    await apply({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'efs-sc' },
      provisioner: 'efs.csi.aws.com',
    });

    const deleted = await deleteVolumeManifests(writer, volumeId, spec);

    expect(deleted).toEqual([]);
    const names = emulator.objects().map((object) => `${object.kind}/${object.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `PersistentVolume/${persistentVolumeName(volumeId)}`,
        'PersistentVolumeClaim/not-ours',
        'StorageClass/efs-sc',
      ]),
    );
  });
});
