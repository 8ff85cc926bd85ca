import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopback } from '../client/index.ts';
import packageJson from '../package.json' with { type: 'json' };

/** The root of the package that holds this CLI: where its `npm start` writes `.local/`. */
export const CLI_PROJECT_DIRECTORY = dirname(dirname(fileURLToPath(import.meta.url)));

/** Where the CLI sends requests, and who said so (for the message when nothing answers). */
export interface ResolvedEndpoint {
  readonly url: string;
  readonly source: 'flag' | 'environment' | 'local mode';
  /** The .local/endpoints.json it was read from, for `local mode`. */
  readonly file?: string;
}

/** No endpoint was given and local mode has written none that may be used. */
export class NoEndpointError extends Error {
  override readonly name = 'NoEndpointError';
  constructor(projectDirectory: string) {
    super(
      'no endpoint: pass --endpoint <url>, set EFS_VOLUMES_ENDPOINT, or start local mode ' +
        `(\`npm start\` in another terminal of the project), which writes ${join(projectDirectory, '.local', 'endpoints.json')}`,
    );
  }
}

/** Where local mode's endpoints may be read, and what to say about a file that is not used. */
export interface LocalModeLookup {
  /** The working directory: its file is read only when it is the root of a checkout. */
  readonly cwd: string;
  /** The root of the package that holds the CLI. */
  readonly projectDirectory: string;
  /** Told why a file was found and not used. */
  readonly warn: (message: string) => void;
}

/** True when `directory` is the root of a checkout of this project (its package.json says so). */
async function isCheckoutRoot(directory: string): Promise<boolean> {
  const text = await readFile(join(directory, 'package.json'), 'utf8').catch(() => undefined);
  try {
    return text !== undefined && JSON.parse(text).name === packageJson.name;
  } catch {
    return false;
  }
}

/** The `api` of one endpoints file, or why it cannot be used. */
function localModeApi(text: string): { url: string } | { ignored: string } {
  let api: unknown;
  try {
    ({ api } = JSON.parse(text) as { api?: unknown });
  } catch {
    return { ignored: 'not JSON' };
  }
  if (typeof api !== 'string') return { ignored: 'it names no "api" address' };
  const url = URL.parse(api);
  if (!url) return { ignored: `its api ${api} is not a URL` };
  if (!isLoopback(url)) {
    return {
      ignored:
        `its api ${api} is not a loopback address (127.0.0.0/8, ::1, localhost), and local ` +
        'mode only listens on loopback; to use that address, pass it with --endpoint or ' +
        'EFS_VOLUMES_ENDPOINT',
    };
  }
  return { url: api };
}

/**
 * Local mode's `api` address from `.local/endpoints.json`, read from two places only, never
 * from a parent directory (a shared temporary directory is anyone's to write): the working
 * directory when it is the root of a checkout of this project (a CLI installed elsewhere, run
 * where `npm start` runs), then the root of the package that holds the CLI (`npx efs-volumes`
 * anywhere in the project). A file whose address is not loopback is ignored, and said so.
 */
async function localModeEndpoint(lookup: LocalModeLookup): Promise<ResolvedEndpoint | undefined> {
  const directories = [
    ...((await isCheckoutRoot(lookup.cwd)) ? [resolve(lookup.cwd)] : []),
    resolve(lookup.projectDirectory),
  ];
  for (const directory of new Set(directories)) {
    const file = join(directory, '.local', 'endpoints.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const api = localModeApi(text);
    if ('url' in api) return { url: api.url, source: 'local mode', file };
    lookup.warn(`ignored ${file}: ${api.ignored}`);
  }
  return undefined;
}

/**
 * The endpoint: `--endpoint`, else EFS_VOLUMES_ENDPOINT, else local mode's
 * `.local/endpoints.json` (written by `npm start`), from the project only and only with a
 * loopback address.
 *
 * @throws NoEndpointError when none of them gives one
 */
export async function resolveEndpoint(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  lookup: LocalModeLookup,
): Promise<ResolvedEndpoint> {
  if (flag) return { url: flag, source: 'flag' };
  if (env.EFS_VOLUMES_ENDPOINT) return { url: env.EFS_VOLUMES_ENDPOINT, source: 'environment' };
  const local = await localModeEndpoint(lookup);
  if (local) return local;
  throw new NoEndpointError(lookup.projectDirectory);
}
