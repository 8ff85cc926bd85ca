import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A running moto_server, the AWS emulator used by local mode and the workflow tests. */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** The process serving it (its CPU time is read from /proc by the tests' timing report). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Finds a free TCP port on loopback by binding port 0 and releasing it. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe socket'));
      });
    });
  });
}

const SERIALIZED_SERVER = fileURLToPath(new URL('./moto-server.py', import.meta.url));

function spawnMoto(command: string, args: string[], port: number): ChildProcess {
  return spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    // MOTO_PORT: as moto_server sets it, for the URLs moto writes into answers (queue URLs).
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false', MOTO_PORT: String(port) },
  });
}

/**
 * Starts `moto_server` on loopback and resolves once it answers HTTP.
 *
 * @param port - the port to listen on; @default a free port
 * @throws Error with install instructions when moto_server is not on PATH
 */
export async function startMoto(port?: number): Promise<MotoServer> {
  const chosen = port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${chosen}`;
  // One request at a time, as AWS applies each to an item atomically (local/moto-server.py);
  // the moto_server command when python3 cannot import moto.
  let child = spawnMoto('python3', [SERIALIZED_SERVER, '127.0.0.1', String(chosen)], chosen);
  const early = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 150)),
    new Promise<'missing'>((resolve) => child.once('error', () => resolve('missing'))),
  ]);
  if (early !== 'running') {
    child = spawnMoto('moto_server', ['-H', '127.0.0.1', '-p', String(chosen)], chosen);
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error('moto_server is not installed: pip install "moto[server]"', { cause: error })
          : error,
      );
    });
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`)));
  });
  const deadline = Date.now() + 30_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${endpoint}/moto-api/`, {
          signal: AbortSignal.timeout(1000),
        });
        if (response.ok || response.status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  return {
    endpoint,
    port: chosen,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * Clears every resource in a moto server (its reset API), for isolation between tests.
 *
 * @param keep - services to leave as they are (`['iam', 'sts']`: roles and role sessions),
 *   when the server is local/moto-server.py; the moto_server command empties everything
 * @returns whether the services in `keep` were kept
 */
export async function resetMoto(endpoint: string, keep: readonly string[] = []): Promise<boolean> {
  if (keep.length > 0) {
    const response = await fetch(`${endpoint}/_local/reset?keep=${keep.join(',')}`, {
      method: 'POST',
    });
    await response.body?.cancel();
    if (response.ok) return true;
  }
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`moto at ${endpoint} refused a reset: ${response.status}`);
  return keep.length === 0;
}
