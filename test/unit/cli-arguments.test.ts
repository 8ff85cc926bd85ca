import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { volumeRequestFlags } from '../../cli/request-flags.ts';
import { openapiDocument } from '../../functions/generated/openapi-schemas.ts';
import { memoryIo } from '../support/cli-io.ts';

const volume = {
  id: 'vol-0123456789abcdef0123',
  status: 'PENDING',
  clusterName: 'demo',
  namespace: 'team-a',
  name: 'data',
  createdAt: '2026-11-25T12:00:00.000Z',
  updatedAt: '2026-11-25T12:00:00.000Z',
  steps: {},
  resources: {},
};
const accepted = () => Response.json(volume, { status: 202 });

describe('efs-volumes arguments', () => {
  it('maps every create flag to its field of the request body', async () => {
    // Prepare
    const io = memoryIo({ answer: accepted });

    // Act
    const code = await runCli(
      [
        'create',
        '--cluster',
        'demo',
        '--namespace',
        'team-a',
        '--name',
        'data',
        '--posix-user-uid',
        '2000',
        '--posix-user-gid',
        '2001',
        '--posix-user-secondary-gids',
        '3000,3001',
        '--root-directory-path',
        '/shared/data',
        '--root-directory-permissions',
        '0770',
        '--performance-mode',
        'maxIO',
        '--throughput-mode',
        'provisioned',
        '--provisioned-throughput-in-mibps',
        '128.5',
        '--capacity',
        '10Gi',
        '--reclaim-policy',
        'Delete',
        '--storage-class-name',
        'efs-fast',
        '--file-system-id',
        'fs-0123456789abcdef0',
        '--tags',
        'team=storage,cost-center=42',
        '--tags',
        'env=dev',
        '--idempotency-key',
        'my-key-1',
      ],
      io,
    );

    // Assess
    expect(code).toBe(0);
    const [request] = io.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.pathname).toBe('/volumes');
    expect(request?.headers.get('idempotency-key')).toBe('my-key-1');
    expect(request?.body).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'data',
      posixUser: { uid: 2000, gid: 2001, secondaryGids: [3000, 3001] },
      rootDirectory: { path: '/shared/data', permissions: '0770' },
      performanceMode: 'maxIO',
      throughputMode: 'provisioned',
      provisionedThroughputInMibps: 128.5,
      capacity: '10Gi',
      reclaimPolicy: 'Delete',
      storageClassName: 'efs-fast',
      fileSystemId: 'fs-0123456789abcdef0',
      tags: { team: 'storage', 'cost-center': '42', env: 'dev' },
      dryRun: false,
    });
  });

  it('has a flag for every field of VolumeRequest but dryRun, so a new field needs no CLI change', () => {
    // Prepare
    const fields = (schema: { properties?: Record<string, unknown> }, prefix: string[] = []) =>
      Object.keys(schema.properties ?? {}).map((field) => [...prefix, field].join('.'));
    const request = openapiDocument.components.schemas.VolumeRequest;

    // Act
    const flagged = new Set(volumeRequestFlags().map((flag) => flag.path[0]));

    // Assess
    expect(fields(request).filter((field) => !flagged.has(field))).toEqual(['dryRun']);
  });

  it('sends only the fields given, leaving defaults to the API, and prints a generated key', async () => {
    // Prepare
    const io = memoryIo({ answer: accepted });

    // Act
    const code = await runCli(
      ['create', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'data'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    const key = io.requests[0]?.headers.get('idempotency-key') ?? '';
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(io.out()).toContain(`Idempotency-Key: ${key}`);
    expect(io.requests[0]?.body).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'data',
      dryRun: false,
    });
  });

  it('passes list filters as query parameters, --cluster as clusterName', async () => {
    // Prepare
    const io = memoryIo();

    // Act
    const code = await runCli(
      ['list', '--cluster', 'demo', '--namespace', 'team-a', '--status', 'READY', '--limit', '5'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(Object.fromEntries(io.requests[0]?.url.searchParams ?? [])).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      status: 'READY',
      limit: '5',
    });
  });

  it('sends delete --force as ?force=true, and a plan as a dry run', async () => {
    // Prepare
    const io = memoryIo({
      answer: (request) =>
        request.method === 'DELETE'
          ? Response.json({ ...volume, status: 'DELETING' }, { status: 202 })
          : Response.json({
              dryRun: true,
              spec: { clusterName: 'demo', namespace: 'team-a', name: 'data' },
              aws: [],
              manifests: 'kind: X\n',
            }),
    });

    // Act
    const deleted = await runCli(['delete', volume.id, '--force'], io);
    const planned = await runCli(
      ['plan', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'data'],
      io,
    );

    // Assess
    expect([deleted, planned]).toEqual([0, 0]);
    expect(io.requests[0]?.url.href).toBe(`http://127.0.0.1:3000/volumes/${volume.id}?force=true`);
    expect(io.requests[1]?.body).toMatchObject({ dryRun: true });
    expect(io.out()).toContain('kind: X');
  });

  it('sends create --verify-mount in the body, and repair --verify-mount as ?verifyMount=true', async () => {
    // Prepare
    const io = memoryIo({
      answer: (request) =>
        Response.json(
          {
            ...volume,
            status: new URL(request.url).pathname.endsWith('/repair') ? 'REPAIRING' : 'PENDING',
          },
          { status: 202 },
        ),
    });

    // Act
    const created = await runCli(
      ['create', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'data', '--verify-mount'],
      io,
    );
    const repaired = await runCli(['repair', volume.id, '--verify-mount'], io);

    // Assess
    expect([created, repaired], io.err()).toEqual([0, 0]);
    expect(io.requests[0]?.body).toMatchObject({ verifyMount: true });
    expect(io.requests[1]?.url.href).toBe(
      `http://127.0.0.1:3000/volumes/${volume.id}/repair?verifyMount=true`,
    );
  });

  it.each([
    [
      'a missing required flag',
      ['create', '--cluster', 'demo', '--namespace', 'team-a'],
      /required option '--name <value>'/,
    ],
    [
      'a value outside the enum',
      ['create', '--cluster', 'd', '--namespace', 'n', '--name', 'x', '--reclaim-policy', 'Maybe'],
      /Allowed choices are Retain, Delete/,
    ],
    [
      'a uid that is not an integer',
      ['create', '--cluster', 'd', '--namespace', 'n', '--name', 'x', '--posix-user-uid', '10.5'],
      /Not an integer/,
    ],
    [
      'a tag that is not key=value',
      ['create', '--cluster', 'd', '--namespace', 'n', '--name', 'x', '--tags', 'team'],
      /"team" is not key=value/,
    ],
    ['an unknown flag', ['list', '--colour'], /unknown option '--colour'/],
    ['an unknown command', ['destroy'], /unknown command 'destroy'/],
    ['a bad output format', ['list', '-o', 'yaml'], /Allowed choices are human, json/],
  ])(
    'refuses %s with a readable message and exit code 2, sending nothing',
    async (_name, argv, message) => {
      // Prepare
      const io = memoryIo();

      // Act
      const code = await runCli(argv, io);

      // Assess
      expect(code).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.requests).toEqual([]);
    },
  );

  it('says how to get an endpoint when none is given and local mode wrote none', async () => {
    // Prepare
    const io = memoryIo({ env: { EFS_VOLUMES_ENDPOINT: undefined } });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(3);
    expect(io.err()).toContain(
      'pass --endpoint <url>, set EFS_VOLUMES_ENDPOINT, or start local mode',
    );
  });

  it('prints the problem of a refusal, its fields, and exits 1; with --output json, the problem itself', async () => {
    // Prepare
    const problem = {
      type: 'https://efs-volumes.dev/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'The request is not valid',
      errors: [{ field: 'name', message: 'must match pattern' }],
    };
    const answer = () => Response.json(problem, { status: 400 });
    const [human, json] = [memoryIo({ answer }), memoryIo({ answer })];
    const argv = ['create', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'Bad'];

    // Act
    const codes = [await runCli(argv, human), await runCli([...argv, '--output', 'json'], json)];

    // Assess
    expect(codes).toEqual([1, 1]);
    expect(human.err()).toBe(
      'error: Invalid request (HTTP 400)\n  The request is not valid\n  - name: must match pattern\n',
    );
    expect(JSON.parse(json.out())).toEqual(problem);
  });
});
