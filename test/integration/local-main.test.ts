import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/credentials.ts';
import { eventually } from '../support/local-stack-harness.ts';

const execFileAsync = promisify(execFile);

const main = fileURLToPath(new URL('../../local/main.ts', import.meta.url));
const cli = fileURLToPath(new URL('../../bin/efs-volumes.js', import.meta.url));

function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start (local/main.ts)', () => {
  it('serves the API, writes its endpoints and kubeconfig, and stops everything on Ctrl-C', async () => {
    // Prepare: a checkout's root, where `npm start` runs
    const directory = await mkdtemp(join(tmpdir(), 'local-mode-'));
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({ name: 'efs-fargate-volumes' }),
    );
    const child = spawn(process.execPath, [main], {
      cwd: directory,
      env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Act: wait until it is up
    const endpoints = await eventually(async () => {
      if (!output.includes('Ctrl-C stops everything')) return undefined;
      return JSON.parse(
        await readFile(join(directory, '.local', 'endpoints.json'), 'utf8'),
      ) as Record<string, string>;
    }, 45_000);

    // Assess: every endpoint answers, and the kubeconfig names the emulator
    const list = await fetch(`${endpoints.api}/volumes`);
    expect(list.status).toBe(200);
    expect(await listening(endpoints.aws ?? '')).toBe(true);
    expect(await listening(endpoints.kube ?? '')).toBe(true);
    const kubeconfig = await readFile(join(directory, '.local', 'kubeconfig'), 'utf8');
    expect(kubeconfig).toContain(`server: ${endpoints.kube}`);
    // The aws CLI at the `aws` endpoint sees the cluster where the functions see it
    const described = await execFileAsync(
      'aws',
      ['eks', 'describe-cluster', '--name', endpoints.clusterName ?? '', '--output', 'json'],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: endpoints.aws,
          AWS_REGION: LOCAL_REGION,
          AWS_DEFAULT_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        },
      },
    );
    expect(JSON.parse(described.stdout).cluster.endpoint).toBe(endpoints.kube);
    // The CLI finds local mode through the file it wrote, unsigned over loopback
    const { EFS_VOLUMES_ENDPOINT: _, ...withoutEndpoint } = process.env;
    const listed = await execFileAsync(process.execPath, [cli, 'list'], {
      cwd: directory,
      env: withoutEndpoint,
    });
    expect(listed.stdout).toBe('No volumes.\n');
    // Request events: the local default names the local account, the one /local/events sends from
    expect(output).toContain('Event senders    123456789012');
    const requested = await fetch(`${endpoints.api}/local/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        Source: 'efs-volumes.requests',
        DetailType: 'Volume Provision Requested',
        Detail: JSON.stringify({
          clusterName: endpoints.clusterName,
          namespace: 'team-b',
          name: 'from-events',
        }),
      }),
    });
    expect(await requested.json()).toMatchObject({ outcome: 'accepted' });

    // Act: Ctrl-C
    child.kill('SIGINT');

    // Assess: it exits cleanly and nothing it started is still listening
    expect(await exited).toBe(0);
    for (const url of [endpoints.api, endpoints.aws, endpoints.kube, endpoints.stepFunctions]) {
      expect(await listening(url ?? ''), url).toBe(false);
    }
  }, 90_000);
});
