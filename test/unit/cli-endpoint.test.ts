import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { memoryIo } from '../support/cli-io.ts';

const noEndpointSet = { EFS_VOLUMES_ENDPOINT: undefined };

/** A directory with `.local/endpoints.json` naming `api`, as `npm start` writes it. */
async function withEndpointsFile(directory: string, api: string): Promise<string> {
  await mkdir(join(directory, '.local'), { recursive: true });
  const file = join(directory, '.local', 'endpoints.json');
  await writeFile(file, JSON.stringify({ api, aws: 'http://127.0.0.1:1', kube: 'x' }));
  return file;
}

/** A checkout of this project: its package.json names the package. */
async function checkoutRoot(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'package.json'), JSON.stringify({ name: 'efs-fargate-volumes' }));
  return directory;
}

describe('efs-volumes endpoint from local mode', () => {
  it.each([
    ['a shared temporary directory', false],
    ['a checkout of the project', true],
  ])(
    'ignores the .local/endpoints.json of a parent of the working directory (%s)',
    async (_parentKind, parentIsCheckout) => {
      // Prepare
      const parent = await mkdtemp(join(tmpdir(), 'cli-parent-'));
      if (parentIsCheckout) await checkoutRoot(parent);
      await withEndpointsFile(parent, 'http://127.0.0.1:3000');
      const cwd = join(parent, 'work');
      await mkdir(cwd);
      const io = memoryIo({
        env: noEndpointSet,
        cwd,
        projectDirectory: await mkdtemp(join(tmpdir(), 'cli-project-')),
      });

      // Act
      const code = await runCli(['list'], io);

      // Assess
      expect(code).toBe(3);
      expect(io.requests).toEqual([]);
      expect(io.err()).toContain('error: no endpoint: pass --endpoint <url>');
    },
  );

  it('ignores the working directory’s .local/endpoints.json when it is not the root of a checkout', async () => {
    // Prepare: a shared directory anyone may write, with an endpoints file of its own
    const shared = await mkdtemp(join(tmpdir(), 'cli-shared-'));
    await withEndpointsFile(shared, 'http://127.0.0.1:3000');
    const io = memoryIo({
      env: noEndpointSet,
      cwd: shared,
      projectDirectory: await mkdtemp(join(tmpdir(), 'cli-project-')),
    });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(3);
    expect(io.requests).toEqual([]);
  });

  it('reads the .local/endpoints.json of the project that holds the CLI, from any working directory', async () => {
    // Prepare
    const project = await mkdtemp(join(tmpdir(), 'cli-project-'));
    await withEndpointsFile(project, 'http://127.0.0.1:4123');
    const io = memoryIo({
      env: noEndpointSet,
      cwd: await mkdtemp(join(tmpdir(), 'cli-elsewhere-')),
      projectDirectory: project,
    });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.requests.map((request) => request.url.href)).toEqual([
      'http://127.0.0.1:4123/volumes',
    ]);
  });

  it('reads the working directory’s .local/endpoints.json when it is the root of a checkout', async () => {
    // Prepare: a CLI installed elsewhere, run at the root of the checkout where `npm start` runs
    const checkout = await checkoutRoot(await mkdtemp(join(tmpdir(), 'cli-checkout-')));
    await withEndpointsFile(checkout, 'http://localhost:4124');
    const io = memoryIo({
      env: noEndpointSet,
      cwd: checkout,
      projectDirectory: await mkdtemp(join(tmpdir(), 'cli-installed-')),
    });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.requests[0]?.url.host).toBe('localhost:4124');
  });

  it.each([
    'http://10.0.0.5:3000',
    'https://volumes.example.com',
    'http://127.0.0.1.example.com:3000',
    'http://[::ffff:a00:5]:3000',
    'http://0.0.0.0:3000',
  ])('ignores a file whose api, %s, is not a loopback address, and says why', async (api) => {
    // Prepare
    const project = await mkdtemp(join(tmpdir(), 'cli-project-'));
    const file = await withEndpointsFile(project, api);
    const io = memoryIo({ env: noEndpointSet, projectDirectory: project });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(3);
    expect(io.requests).toEqual([]);
    expect(io.err()).toContain(`ignored ${file}: its api ${api} is not a loopback address`);
    expect(io.err()).toContain('error: no endpoint: pass --endpoint <url>');
  });

  it('ignores a file that is not JSON, and says so', async () => {
    // Prepare
    const project = await mkdtemp(join(tmpdir(), 'cli-project-'));
    await mkdir(join(project, '.local'));
    await writeFile(join(project, '.local', 'endpoints.json'), '{"api": ');
    const io = memoryIo({ env: noEndpointSet, projectDirectory: project });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(3);
    expect(io.err()).toContain(`ignored ${join(project, '.local', 'endpoints.json')}: not JSON`);
  });

  it.each(['http://127.1.2.3:3000', 'http://[::1]:3000', 'http://localhost:3000'])(
    'accepts the loopback address %s from the file',
    async (api) => {
      // Prepare
      const project = await mkdtemp(join(tmpdir(), 'cli-project-'));
      await withEndpointsFile(project, api);
      const io = memoryIo({ env: noEndpointSet, projectDirectory: project });

      // Act
      const code = await runCli(['list'], io);

      // Assess
      expect(code).toBe(0);
      expect(io.requests[0]?.url.href).toBe(`${api}/volumes`);
    },
  );
});

describe('efs-volumes transport', () => {
  it.each([
    ['--endpoint', ['--endpoint', 'http://volumes.example.com/prod'], {}],
    ['EFS_VOLUMES_ENDPOINT', [], { EFS_VOLUMES_ENDPOINT: 'http://volumes.example.com/prod' }],
    [
      'an execute-api host',
      ['--endpoint', 'http://abc123defg.execute-api.eu-west-1.amazonaws.com/prod'],
      {},
    ],
  ])(
    'refuses plain http to a host that is not loopback (%s) before any request, naming it',
    async (_source, flags, env) => {
      // Prepare
      const io = memoryIo({ env });

      // Act
      const code = await runCli(['list', ...flags], io);

      // Assess
      expect(code).toBe(2);
      expect(io.requests).toEqual([]);
      expect(io.err()).toMatch(
        /^error: refusing http:\/\/[\w.-]+\/prod: plain http:\/\/ is only for local mode on a loopback address; use https:\/\/[\w.-]+\/prod\n/,
      );
    },
  );

  it('refuses --sigv4 over plain http, even to local mode, before any request', async () => {
    // Prepare
    const io = memoryIo();

    // Act
    const code = await runCli(['list', '--sigv4', '--region', 'eu-west-1'], io);

    // Assess
    expect(code).toBe(2);
    expect(io.requests).toEqual([]);
    expect(io.err()).toContain(
      'error: refusing to sign requests to http://127.0.0.1:3000 over plain http://',
    );
  });
});
