import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { memoryIo } from '../support/cli-io.ts';

const SOURCE = 'vol-0123456789abcdef0123';
const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0';
const volume = {
  id: SOURCE,
  status: 'READY',
  clusterName: 'demo',
  namespace: 'team-a',
  name: 'data',
  createdAt: '2026-11-25T12:00:00.000Z',
  updatedAt: '2026-11-25T12:00:00.000Z',
  steps: {},
  resources: {},
};

describe('efs-volumes recovery-points and restore', () => {
  it('lists every page of recovery points, newest first as the API gives them', async () => {
    // Prepare
    const pages = [
      {
        items: [
          {
            recoveryPointArn: `${POINT}-2`,
            createdAt: '2026-12-02T00:00:00Z',
            status: 'COMPLETED',
          },
        ],
        nextToken: 'p2',
      },
      {
        items: [
          {
            recoveryPointArn: `${POINT}-1`,
            createdAt: '2026-12-01T00:00:00Z',
            status: 'COMPLETED',
            backupSizeBytes: 6144,
          },
        ],
      },
    ];
    const io = memoryIo({ answer: () => Response.json(pages.shift()) });

    // Act
    const code = await runCli(['recovery-points', SOURCE], io);

    // Assess
    expect(code).toBe(0);
    expect(io.requests.map((request) => `${request.url.pathname}${request.url.search}`)).toEqual([
      `/volumes/${SOURCE}/recovery-points`,
      `/volumes/${SOURCE}/recovery-points?nextToken=p2`,
    ]);
    expect(io.out().indexOf(`${POINT}-2`)).toBeLessThan(io.out().indexOf(`${POINT}-1`));
    expect(io.out()).toContain('6.0 KiB');
  });

  it("restores into the source's cluster and namespace unless told, with restoreFrom", async () => {
    // Prepare
    const io = memoryIo({
      answer: (request) =>
        request.method === 'GET'
          ? Response.json(volume)
          : Response.json(
              { ...volume, id: 'vol-00000000000000000002', status: 'PENDING' },
              { status: 202 },
            ),
    });

    // Act
    const code = await runCli(
      ['restore', SOURCE, '--recovery-point', POINT, '--name', 'data-restored'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(io.requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
      `GET /volumes/${SOURCE}`,
      'POST /volumes',
    ]);
    expect(io.requests[1]?.body).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'data-restored',
      restoreFrom: { volumeId: SOURCE, recoveryPointArn: POINT },
      dryRun: false,
    });
    expect(io.requests[1]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('restores into the namespace given without reading the source, and refuses without --recovery-point', async () => {
    // Prepare
    const io = memoryIo({ answer: () => Response.json(volume, { status: 202 }) });
    const missing = memoryIo();

    // Act
    const code = await runCli(
      [
        'restore',
        SOURCE,
        '--recovery-point',
        POINT,
        '--name',
        'copy',
        '--namespace',
        'team-b',
        '--cluster',
        'prod',
      ],
      io,
    );
    const refused = await runCli(['restore', SOURCE, '--name', 'copy'], missing);

    // Assess
    expect(code).toBe(0);
    expect(io.requests).toHaveLength(1);
    expect(io.requests[0]?.body).toMatchObject({ clusterName: 'prod', namespace: 'team-b' });
    expect(refused).toBe(2);
    expect(missing.requests).toHaveLength(0);
  });

  it('restores by the recovery point alone into the cluster and namespace given, and refuses without them', async () => {
    // Prepare
    const io = memoryIo({ answer: () => Response.json(volume, { status: 202 }) });
    const noNamespace = memoryIo();

    // Act
    const code = await runCli(
      [
        'restore',
        '--recovery-point',
        POINT,
        '--name',
        'copy',
        '--cluster',
        'demo',
        '--namespace',
        'team-a',
      ],
      io,
    );
    const refused = await runCli(
      ['restore', '--recovery-point', POINT, '--name', 'copy', '--cluster', 'demo'],
      noNamespace,
    );

    // Assess: no source to read; the API finds it from the recovery point
    expect(code).toBe(0);
    expect(io.requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
      'POST /volumes',
    ]);
    expect(io.requests[0]?.body).toEqual({
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'copy',
      restoreFrom: { recoveryPointArn: POINT },
      dryRun: false,
    });
    expect(refused).toBe(2);
    expect(noNamespace.requests).toHaveLength(0);
    expect(noNamespace.err()).toMatch(/--cluster and --namespace/);
  });
});
