import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where the CLI sends requests, and who said so (for the message when nothing answers). */
export interface ResolvedEndpoint {
  readonly url: string;
  readonly source: 'flag' | 'environment' | 'local mode';
  /** The .local/endpoints.json it was read from, for `local mode`. */
  readonly file?: string;
}

/** No endpoint was given and local mode has written none. */
export class NoEndpointError extends Error {
  override readonly name = 'NoEndpointError';
  constructor() {
    super(
      'no endpoint: pass --endpoint <url>, set EFS_VOLUMES_ENDPOINT, or start local mode ' +
        '(`npm start` in another terminal), which writes .local/endpoints.json',
    );
  }
}

/** The `api` URL of the nearest .local/endpoints.json, from `directory` up to the root. */
async function localModeEndpoint(directory: string): Promise<ResolvedEndpoint | undefined> {
  for (let current = directory; ; current = dirname(current)) {
    const file = join(current, '.local', 'endpoints.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const { api } = JSON.parse(text) as { api?: unknown };
      if (typeof api === 'string') return { url: api, source: 'local mode', file };
    }
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The endpoint: `--endpoint`, else EFS_VOLUMES_ENDPOINT, else local mode's
 * `.local/endpoints.json` (written by `npm start`) in the working directory or above it.
 *
 * @throws NoEndpointError when none of them gives one
 */
export async function resolveEndpoint(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<ResolvedEndpoint> {
  if (flag) return { url: flag, source: 'flag' };
  if (env.EFS_VOLUMES_ENDPOINT) return { url: env.EFS_VOLUMES_ENDPOINT, source: 'environment' };
  const local = await localModeEndpoint(cwd);
  if (local) return local;
  throw new NoEndpointError();
}
