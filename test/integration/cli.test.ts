import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import type { LocalStack } from '../../local/stack.ts';
import { createReadyVolume } from '../support/api-volumes.ts';
import { startTestStack } from '../support/local-stack-harness.ts';
import { PROVISION_STEPS } from '../support/provision-steps.ts';

const bin = fileURLToPath(new URL('../../bin/efs-volumes.js', import.meta.url));
const ESCAPE = '\u001b[';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `efs-volumes` in this process (cli/main.ts's runCli, what the bin runs), its output
 * captured as a pipe would be: not a terminal, so no colour.
 */
async function efsVolumes(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, EFS_VOLUMES_ENDPOINT: stack.api, ...env },
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

/** Runs the installed `efs-volumes` (bin/efs-volumes.js) as a child process, its output piped. */
function spawnedEfsVolumes(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, EFS_VOLUMES_ENDPOINT: stack.api, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('the efs-volumes CLI against local mode', () => {
  it('creates a volume and follows its steps to READY with --wait', async () => {
    // Act
    const run = await efsVolumes([
      'create',
      '--cluster',
      stack.clusterName,
      '--namespace',
      'team-a',
      '--name',
      'cli-data',
      '--reclaim-policy',
      'Delete',
      '--wait',
    ]);

    // Assess: every provisioning step started and ended, in order, and READY; piped, so no colour
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESCAPE);
    const id = /(vol-[0-9a-f]{20})\s+PENDING/.exec(run.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(run.stdout).toMatch(/^Idempotency-Key: [0-9a-f-]{36}$/m);
    const ended = [...run.stdout.matchAll(/^ {2}done {5}(\w+) +[\d.]+ m?s$/gm)].map((m) => m[1]);
    expect(ended).toEqual([...PROVISION_STEPS]);
    expect(run.stdout).toContain('  started  ResolveCluster\n');
    expect(run.stdout).toMatch(
      new RegExp(`${id}  READY  ${stack.clusterName}/team-a/cli-data in [\\d.]+ s\\n$`),
    );
  });
});

describe('the efs-volumes CLI on a READY volume', () => {
  /** A READY volume of these tests' own, alone in team-b. */
  let id = '';

  beforeAll(async () => {
    ({ id } = await createReadyVolume<{ id: string }>(stack, 'cli-data', 'Delete', 'team-b'));
  });

  it('lists it in a table, filtered by cluster, namespace and status', async () => {
    // Act
    const run = await efsVolumes([
      'list',
      '--cluster',
      stack.clusterName,
      '--namespace',
      'team-b',
      '--status',
      'READY',
    ]);

    // Assess
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +STATUS +CLUSTER +NAMESPACE +NAME +HEALTH +CREATED$/);
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`^${id}  READY +${stack.clusterName} +team-b +cli-data `)),
    ]);
  });

  it('checks it for drift, shows its health, and lists it by health', async () => {
    // Act
    const check = await efsVolumes(['check', id]);
    const healthy = await efsVolumes([
      'list',
      '--cluster',
      stack.clusterName,
      '--health',
      'HEALTHY',
    ]);
    const drifted = await efsVolumes([
      'list',
      '--cluster',
      stack.clusterName,
      '--health',
      'DRIFTED',
    ]);

    // Assess
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect(check.stdout).toMatch(new RegExp(`^${id}\\n  health +HEALTHY checked \\S+\\n$`));
    expect(healthy.stdout).toContain(id);
    expect(healthy.stdout).toMatch(/HEALTHY +\S+\n$/);
    expect(drifted.stdout).toBe('No volumes.\n');
  });

  it('prints its manifests as YAML, and everything as JSON with --output json', async () => {
    // Act
    const manifests = await efsVolumes(['manifests', id]);
    const json = await efsVolumes(['get', id, '--output', 'json']);
    const list = await efsVolumes([
      'list',
      '-o',
      'json',
      '--cluster',
      stack.clusterName,
      '--namespace',
      'team-b',
    ]);

    // Assess
    expect(manifests.code).toBe(0);
    expect(manifests.stdout).toContain('kind: PersistentVolumeClaim');
    expect(manifests.stdout).toContain('name: cli-data');
    const volume = JSON.parse(json.stdout) as {
      id: string;
      status: string;
      resources: { fileSystemId?: string };
    };
    expect(volume).toMatchObject({
      id,
      status: 'READY',
      resources: { fileSystemId: expect.stringMatching(/^fs-/) },
    });
    expect(
      (JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((item) => item.id),
    ).toEqual([id]);
  });
});

describe('the efs-volumes CLI deleting', () => {
  it('deletes a volume and follows the deletion to DELETED with --wait', async () => {
    // Prepare
    const { id } = await createReadyVolume<{ id: string }>(stack, 'cli-deleted', 'Delete');

    // Act
    const run = await efsVolumes(['delete', id, '--wait']);

    // Assess: only the deletion's steps are shown, not create's again
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${id}  DELETING`);
    expect(run.stdout).toContain('  done     DeleteManifests');
    expect(run.stdout).toContain('  done     DeleteFileSystem');
    expect(run.stdout).not.toContain('CreateFileSystem');
    expect(run.stdout).toMatch(new RegExp(`${id}  DELETED  .* in [\\d.]+ s\\n$`));
  });
});

describe('the efs-volumes CLI refusing', () => {
  it('exits 1 with the problem title and detail when the API refuses', async () => {
    // Act
    const run = await efsVolumes([
      'create',
      '--cluster',
      stack.clusterName,
      '--namespace',
      'no-such-namespace',
      '--name',
      'x',
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .+ \(HTTP 422\)\n {2}.*no-such-namespace.*\n$/);
    expect(run.stderr).not.toContain(ESCAPE);
  });

  it('exits 2 on a bad flag, before any request', async () => {
    // Act
    const run = await efsVolumes([
      'create',
      '--cluster',
      'demo',
      '--namespace',
      'team-a',
      '--name',
      'x',
      '--capacity',
    ]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: option '--capacity <value>' argument missing");
  });

  // The one run of the installed command as a child process: bin/efs-volumes.js, its exit code
  // and its streams, from a checkout's directory.
  it('reads the endpoint from .local/endpoints.json at the root of a checkout, and says to start local mode when it does not answer', async () => {
    // Prepare: a checkout whose local mode has stopped
    const directory = await mkdtemp(join(tmpdir(), 'cli-'));
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({ name: 'efs-fargate-volumes' }),
    );
    await mkdir(join(directory, '.local'));
    await writeFile(
      join(directory, '.local', 'endpoints.json'),
      JSON.stringify({ api: 'http://127.0.0.1:47' }),
    );

    // Act
    const run = await spawnedEfsVolumes(['list'], { EFS_VOLUMES_ENDPOINT: '' }, directory);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error: no answer from http://127.0.0.1:47');
    expect(run.stderr).toContain(join(directory, '.local', 'endpoints.json'));
    expect(run.stderr).toContain('Start it with `npm start`');
  });

  it('refuses plain http to a host that is not loopback, naming the endpoint and where it came from', async () => {
    // Act
    const run = await efsVolumes(['list'], { EFS_VOLUMES_ENDPOINT: 'http://volumes.example.com' });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: refusing http://volumes.example.com: plain http:// is only for local mode on a ' +
        'loopback address; use https://volumes.example.com\n' +
        '  The endpoint came from EFS_VOLUMES_ENDPOINT.\n',
    );
  });
});
