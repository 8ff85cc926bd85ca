// An in-memory process for runCli: captured stdout/stderr, a chosen TTY-ness and environment,
// and a fetch that records requests and answers from a script.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../cli/terminal.ts';

export interface MemoryIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
  readonly requests: { method: string; url: URL; headers: Headers; body: unknown }[];
}

export function memoryIo(
  options: {
    tty?: boolean;
    env?: Record<string, string | undefined>;
    cwd?: string;
    projectDirectory?: string;
    answer?: (request: Request) => Response | Promise<Response>;
  } = {},
): MemoryIo {
  let out = '';
  let err = '';
  const requests: MemoryIo['requests'] = [];
  return {
    stdout: { write: (text: string) => (out += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (err += text), isTTY: options.tty ?? false },
    env: { EFS_VOLUMES_ENDPOINT: 'http://127.0.0.1:3000', ...options.env },
    cwd: options.cwd ?? '/',
    // Never this checkout: a developer's running local mode must not answer a unit test.
    projectDirectory: options.projectDirectory ?? join(tmpdir(), `no-project-${randomUUID()}`),
    sleep: async () => undefined,
    fetch: async (request: Request) => {
      const text = await request.text();
      requests.push({
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      return options.answer ? options.answer(request) : Response.json({ items: [] });
    },
    out: () => out,
    err: () => err,
    requests,
  };
}
