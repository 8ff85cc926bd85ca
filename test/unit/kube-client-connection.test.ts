import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesApi } from '../../functions/lib/kube/client.ts';
import {
  createCertificateAuthority,
  issueServingCertificate,
} from '../../local/kube-emulator/certificates.ts';

let server: Server;
let endpoint: string;
let caData: string;
/** TLS connections the server accepted, and the requests it answered. */
let connections = 0;
const requests: { path: string; authorization: string | undefined }[] = [];

const CORE_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] }],
};

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  const serving = await issueServingCertificate(ca, ['127.0.0.1']);
  caData = Buffer.from(ca.certPem).toString('base64');
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (request, response) => {
    requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const name = /\/configmaps\/([^/?]+)/.exec(request.url ?? '')?.[1];
    const body = name
      ? {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'default' },
          data: { name },
        }
      : CORE_RESOURCES;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  server.on('secureConnection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('kubernetesApi (the Kubernetes steps’ client)', () => {
  it('makes every request of one client on one TLS connection, each with the token', async () => {
    // Prepare
    connections = 0;
    requests.length = 0;
    const api = await kubernetesApi({ name: 'demo', endpoint, caData }, 'us-east-1');

    // Act
    const read = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      read.push(
        await api.read({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'default' },
        }),
      );
    }

    // Assess: four objects read (and the discovery the client may make), one handshake
    expect(read.map((object) => object.metadata?.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(requests.filter((request) => request.path.includes('/configmaps/'))).toHaveLength(4);
    expect(
      requests.every((request) => request.authorization?.startsWith('Bearer k8s-aws-v1.')),
    ).toBe(true);
    expect(connections).toBe(1);
  });

  it('still checks the server against the cluster’s CA', async () => {
    // Prepare: a CA that did not sign the server's certificate
    const other = await createCertificateAuthority('another-ca');
    const api = await kubernetesApi(
      { name: 'demo', endpoint, caData: Buffer.from(other.certPem).toString('base64') },
      'us-east-1',
    );

    // Act
    const read = api.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default' },
    });

    // Assess
    await expect(read).rejects.toThrow(/certificate/i);
  });
});
