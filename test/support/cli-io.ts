// An in-memory process for runCli: captured stdout/stderr, a chosen TTY-ness and environment,
// and a fetch that records requests and answers from a script.
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
    cwd: '/',
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
