import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ObjectSerializer as Published } from '@kubernetes/client-node/dist/serializer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBERNETES_MODELS } from '../../infra/bundling.ts';
import { bundledSnippet } from '../support/bundled-snippet.ts';

// The Kubernetes client as the steps' bundles carry it (infra/bundling.ts: kubernetes-models
// and kubeconfig-unused), next to the client as published.
const ENTRY = [
  "export { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';",
  "export { KubeConfig } from '@kubernetes/client-node/dist/config.js';",
].join('\n');

type Serializer = typeof Published;
let bundled: { ObjectSerializer: Serializer; KubeConfig: new () => unknown };
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'kubernetes-bundling-'));
  bundled = await import(pathToFileURL(await bundledSnippet(ENTRY, folder, 'client')).href);
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A PersistentVolume as the API server answers, with timestamps and nested sources. */
const persistentVolume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: {
    name: 'efs-vol-0123',
    labels: { 'app.kubernetes.io/managed-by': 'efs-volumes' },
    creationTimestamp: '2026-12-07T00:00:00Z',
    deletionTimestamp: '2026-12-07T01:00:00Z',
    managedFields: [{ manager: 'efs-volumes', operation: 'Apply', time: '2026-12-07T00:00:00Z' }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }],
  },
  spec: {
    capacity: { storage: '5Gi' },
    accessModes: ['ReadWriteMany'],
    claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'a', name: 'b' },
    csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1::fsap-1', volumeAttributes: { a: 'b' } },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }],
      },
    },
  },
  status: { phase: 'Bound', lastPhaseTransitionTime: '2026-12-07T00:00:00Z' },
};

const others = [
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'c', namespace: 'n', creationTimestamp: '2026-12-07T00:00:00Z' },
    spec: { resources: { requests: { storage: '5Gi' } }, selector: { matchLabels: { a: 'b' } } },
    status: { phase: 'Bound', capacity: { storage: '5Gi' } },
  },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'efs' },
    provisioner: 'efs.csi.aws.com',
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'k', values: ['v'] }] }],
  },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: 'efs.csi.aws.com' },
    spec: { attachRequired: false },
  },
  {
    apiVersion: 'v1',
    kind: 'Status',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
    details: { name: 'x', causes: [{ field: 'f' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeList',
    metadata: { resourceVersion: '1' },
    items: [persistentVolume],
  },
];

const typeOf = (object: { apiVersion: string; kind: string }) => {
  const version = object.apiVersion.split('/').at(-1) as string;
  return `${version[0]?.toUpperCase()}${version.slice(1)}${object.kind}`;
};

/** A value's shape: Dates as Dates, model instances apart from plain objects (class names are minified). */
function shape(value: unknown): unknown {
  if (value instanceof Date) return `Date ${value.toISOString()}`;
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, shape(item)]);
    return {
      plain: Object.getPrototypeOf(value) === Object.prototype,
      ...Object.fromEntries(entries),
    };
  }
  return value;
}

describe('the Kubernetes client in the bundles (infra/bundling.ts)', () => {
  it('reads and writes the kinds the steps handle exactly as the published client, Dates included', () => {
    // Act
    const read = (serializer: Serializer) =>
      [persistentVolume, ...others].map((object) => serializer.deserialize(object, typeOf(object)));
    const written = (serializer: Serializer) =>
      read(serializer).map((object, index) =>
        serializer.serialize(
          object,
          typeOf([persistentVolume, ...others][index] as { apiVersion: string; kind: string }),
        ),
      );

    // Assess
    const ours = read(bundled.ObjectSerializer);
    expect(shape(ours)).toEqual(shape(read(Published)));
    expect(
      (ours[0] as { metadata: { creationTimestamp: unknown } }).metadata.creationTimestamp,
    ).toBeInstanceOf(Date);
    expect(shape(written(bundled.ObjectSerializer))).toEqual(shape(written(Published)));
  });

  it('keeps a model for every Kubernetes type functions/ names', () => {
    // Prepare: the V1… types functions/ imports from the client
    const names = execFileSync('grep', ['-rhoE', '\\bV1[A-Za-z]+\\b', 'functions'], {
      encoding: 'utf8',
    });

    // Act
    const missing = [...new Set(names.split('\n').filter(Boolean))].filter(
      (name) => !KUBERNETES_MODELS.includes(name),
    );

    // Assess
    expect(names).toContain('V1PersistentVolume');
    expect(missing).toEqual([]);
  });

  it('passes any other kind through as its JSON, as it does custom resources', () => {
    // Prepare
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };

    // Act
    const read = bundled.ObjectSerializer.deserialize(pod, 'V1Pod') as Record<string, unknown>;

    // Assess
    expect(read).toEqual(pod);
  });

  it('refuses, naming why, the ways to a cluster the functions never take', () => {
    // Prepare
    const kubeConfig = new bundled.KubeConfig() as { loadFromString(text: string): void };

    // Act / Assess
    expect(() => kubeConfig.loadFromString('apiVersion: v1')).toThrow(/js-yaml .* is not bundled/);
  });
});
