import { EFSClient, paginateDescribeFileSystems } from '@aws-sdk/client-efs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { expectContract } from '../support/contract.ts';
import { startTestStack } from '../support/local-stack-harness.ts';
import { isClusterSetup } from '../support/workflow-harness.ts';

let stack: LocalStack;
const efs = new EFSClient({});

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

interface BadRequest {
  readonly name: string;
  readonly status: number;
  readonly problem: string;
  readonly body?: unknown;
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  readonly method?: string;
  readonly path?: string;
  /** A field the problem's `errors` must name. */
  readonly field?: string;
}

const good = () => ({ clusterName: stack.clusterName, namespace: 'team-a', name: 'data' });

/** At least 30 malformed requests: each a 4xx problem+json, and nothing created. */
function cases(): BadRequest[] {
  const base = good();
  return [
    { name: 'not JSON', status: 400, problem: 'malformed-json', raw: '{bad' },
    { name: 'empty body', status: 400, problem: 'malformed-json', raw: '' },
    {
      name: 'truncated JSON',
      status: 400,
      problem: 'malformed-json',
      raw: '{"clusterName": "demo"',
    },
    { name: 'a JSON array', status: 400, problem: 'invalid-request', body: [base] },
    { name: 'a JSON string', status: 400, problem: 'invalid-request', body: 'volume' },
    { name: 'null', status: 400, problem: 'invalid-request', body: null },
    {
      name: 'wrong content type',
      status: 415,
      problem: 'unsupported-media-type',
      raw: JSON.stringify(base),
      headers: { 'Content-Type': 'text/plain' },
    },
    {
      name: 'form content type',
      status: 415,
      problem: 'unsupported-media-type',
      raw: 'clusterName=demo',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    },
    {
      name: 'oversized body',
      status: 413,
      problem: 'payload-too-large',
      body: { ...base, tags: { big: 'x'.repeat(20_000) } },
    },
    {
      name: 'missing clusterName',
      status: 400,
      problem: 'invalid-request',
      body: { namespace: 'team-a', name: 'data' },
      field: 'clusterName',
    },
    {
      name: 'missing namespace',
      status: 400,
      problem: 'invalid-request',
      body: { clusterName: base.clusterName, name: 'data' },
      field: 'namespace',
    },
    {
      name: 'missing name',
      status: 400,
      problem: 'invalid-request',
      body: { clusterName: base.clusterName, namespace: 'team-a' },
      field: 'name',
    },
    {
      name: 'unknown field',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, sizeGb: 5 },
      field: 'sizeGb',
    },
    {
      name: 'unknown nested field',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, posixUser: { uid: 1000, gid: 1000, shell: '/bin/sh' } },
      field: 'posixUser.shell',
    },
    {
      name: 'name with capitals',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, name: 'Data' },
      field: 'name',
    },
    {
      name: 'name too long',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, name: 'a'.repeat(64) },
      field: 'name',
    },
    {
      name: 'namespace with a dot',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, namespace: 'team.a' },
      field: 'namespace',
    },
    {
      name: 'name as a number',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, name: 42 },
      field: 'name',
    },
    {
      name: 'cluster name with a slash',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, clusterName: 'demo/../x' },
      field: 'clusterName',
    },
    {
      name: 'uid 0',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, posixUser: { uid: 0, gid: 1000 } },
      field: 'posixUser.uid',
    },
    {
      name: 'gid 0',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, posixUser: { uid: 1000, gid: 0 } },
      field: 'posixUser.gid',
    },
    {
      name: 'negative uid',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, posixUser: { uid: -1, gid: 1000 } },
      field: 'posixUser.uid',
    },
    {
      name: 'uid as a string',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, posixUser: { uid: '1000', gid: 1000 } },
      field: 'posixUser.uid',
    },
    {
      name: 'path with ..',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: '/team-a/../../etc' } },
      field: 'rootDirectory.path',
    },
    {
      name: 'relative path',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: 'team-a/data' } },
      field: 'rootDirectory.path',
    },
    {
      name: 'root path',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: '/' } },
      field: 'rootDirectory.path',
    },
    {
      name: 'path with //',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: '/team-a//data' } },
      field: 'rootDirectory.path',
    },
    {
      name: 'path too deep',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: '/a/b/c/d/e' } },
      field: 'rootDirectory.path',
    },
    {
      name: 'bad permissions',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, rootDirectory: { path: '/a', permissions: '0999' } },
      field: 'rootDirectory.permissions',
    },
    {
      name: 'unknown reclaim policy',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, reclaimPolicy: 'Recycle' },
      field: 'reclaimPolicy',
    },
    {
      name: 'provisioned throughput without Mibps',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, throughputMode: 'provisioned' },
      field: 'provisionedThroughputInMibps',
    },
    {
      name: 'reserved aws: tag',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, tags: { 'aws:owner': 'me' } },
      field: 'tags.aws:owner',
    },
    {
      name: 'a __proto__ tag key',
      status: 400,
      problem: 'invalid-request',
      raw: `{"clusterName":"${base.clusterName}","namespace":"team-a","name":"data","tags":{"__proto__":"x"}}`,
      field: 'tags.__proto__',
    },
    {
      name: 'bad fileSystemId',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, fileSystemId: 'fs-nothex!' },
      field: 'fileSystemId',
    },
    {
      name: 'dryRun as a string',
      status: 400,
      problem: 'invalid-request',
      body: { ...base, dryRun: 'yes' },
      field: 'dryRun',
    },
    {
      name: 'bad Idempotency-Key',
      status: 400,
      problem: 'invalid-request',
      body: base,
      headers: { 'Idempotency-Key': 'has spaces in it' },
      field: 'header.idempotency-key',
    },
    {
      name: 'reserved namespace',
      status: 403,
      problem: 'forbidden',
      body: { ...base, namespace: 'kube-system' },
    },
    {
      name: 'cluster not in the policy',
      status: 403,
      problem: 'forbidden',
      body: { ...base, clusterName: 'someone-elses' },
    },
    {
      name: 'missing namespace in the cluster',
      status: 422,
      problem: 'namespace-not-found',
      body: { ...base, namespace: 'no-such-team' },
    },
    {
      name: 'bad volume id',
      status: 400,
      problem: 'invalid-request',
      method: 'GET',
      path: '/volumes/not-a-volume',
    },
    {
      name: 'unknown query parameter',
      status: 400,
      problem: 'invalid-request',
      method: 'GET',
      path: '/volumes?color=red',
    },
    {
      name: 'limit out of range',
      status: 400,
      problem: 'invalid-request',
      method: 'GET',
      path: '/volumes?limit=1000',
    },
    {
      name: 'status not a status',
      status: 400,
      problem: 'invalid-request',
      method: 'GET',
      path: '/volumes?status=DONE',
    },
    {
      name: 'forged nextToken',
      status: 400,
      problem: 'invalid-request',
      method: 'GET',
      path: '/volumes?nextToken=bm90LWpzb24',
    },
    {
      name: 'force not a boolean',
      status: 400,
      problem: 'invalid-request',
      method: 'DELETE',
      path: '/volumes/vol-00000000000000000000?force=maybe',
    },
  ];
}

const operationOf = (method: string, path: string) =>
  method === 'POST'
    ? 'createVolume'
    : method === 'DELETE'
      ? 'deleteVolume'
      : path.startsWith('/volumes?')
        ? 'listVolumes'
        : 'getVolume';

/**
 * The file systems tagged for a cluster, every page read: the shared moto holds other test
 * files' file systems, more than one page of them, created and deleted while this one runs.
 */
async function fileSystemsOfCluster(clusterName: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const { FileSystems = [] } of paginateDescribeFileSystems({ client: efs }, {})) {
    for (const fileSystem of FileSystems) {
      const tagged = fileSystem.Tags?.some(
        (tag) => tag.Key === 'efs-volumes:cluster' && tag.Value === clusterName,
      );
      if (tagged && fileSystem.FileSystemId) ids.push(fileSystem.FileSystemId);
    }
  }
  return ids;
}

describe('bad input', () => {
  it('answers each of at least 30 malformed requests with a 4xx problem+json and creates nothing', async () => {
    // Prepare
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(30);
    const fileSystemsBefore = await fileSystemsOfCluster(stack.clusterName);

    for (const bad of all) {
      // Act
      const method = bad.method ?? 'POST';
      const response = await fetch(`${stack.api}${bad.path ?? '/volumes'}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...bad.headers },
        ...(method === 'POST' ? { body: bad.raw ?? JSON.stringify(bad.body) } : {}),
      });

      // Assess
      const checked = await expectContract(operationOf(method, bad.path ?? '/volumes'), response);
      expect(checked.status, bad.name).toBe(bad.status);
      expect(response.headers.get('content-type'), bad.name).toBe('application/problem+json');
      const problem = checked.json as {
        type: string;
        status: number;
        errors?: Array<{ field: string }>;
      };
      expect(problem.type, bad.name).toBe(`https://efs-volumes.dev/problems/${bad.problem}`);
      expect(problem.status, bad.name).toBe(bad.status);
      if (bad.field)
        expect(
          problem.errors?.map((error) => error.field),
          bad.name,
        ).toContain(bad.field);
    }

    // Assess: nothing was created anywhere
    const list = await fetch(`${stack.api}/volumes?clusterName=${stack.clusterName}`);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
    expect(await fileSystemsOfCluster(stack.clusterName)).toEqual(fileSystemsBefore);
    expect(stack.emulator.objects().filter((object) => !isClusterSetup(object))).toEqual([]);
  });

  it('answers an unknown route and a wrong method with problem+json', async () => {
    const route = await fetch(`${stack.api}/nothing-here`);
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toBe('application/problem+json');
    const method = await fetch(`${stack.api}/volumes`, { method: 'PUT' });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('POST, GET');
  });
});
