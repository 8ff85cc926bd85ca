import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Stack traces that point into the TypeScript sources, mapped only when one is formatted.
 *
 * `NODE_OPTIONS=--enable-source-maps` reads and parses each bundle's source map at every cold
 * start (10–17 ms of an API function's init, bench/README.md section 1b), for the few
 * invocations that ever format a stack. Here a frame in a file with a `.map` beside it (a
 * bundle, `index.mjs.map`, or a chunk) is mapped through it, the map read once per execution
 * environment, the first time a stack passes through that file: `at name (source:line:column)`
 * as Node's own source maps write it, the source resolved against the map's folder and the name
 * the source gives the function (the caller's call names it). Frames elsewhere (Node's own,
 * the unbundled sources the tests run) are V8's. Where stacks are mapped already (Node's
 * source maps on, or a test runner's formatter in place of Node's default), that stays.
 */
export function mapStackTraces(): void {
  const current = Error.prepareStackTrace;
  if (process.sourceMapsEnabled || (current && current.name !== 'ErrorPrepareStackTrace')) return;
  Error.prepareStackTrace = (error, frames) =>
    [
      Error.prototype.toString.call(error),
      ...frames.map((frame, index) => `    at ${mappedFrame(frame, frames[index + 1])}`),
    ].join('\n');
}

/** Each file's map and its URL, or null when it has none (read once). */
const maps = new Map<string, { readonly map: SourceMap; readonly url: URL } | null>();

function mapOf(file: string) {
  if (!maps.has(file)) {
    try {
      const path = file.startsWith('file:') ? fileURLToPath(file) : file;
      const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
      maps.set(file, { map, url: pathToFileURL(path) });
    } catch {
      maps.set(file, null);
    }
  }
  return maps.get(file);
}

/**
 * A frame as V8 writes it, at its position in the source its file's map names when it has one.
 * `caller`, the next frame down, names the function this one runs in when in the same file.
 */
export function mappedFrame(frame: NodeJS.CallSite, caller?: NodeJS.CallSite): string {
  try {
    const file = frame.getFileName() ?? '';
    const mapped = mapOf(file);
    const at = mapped?.map.findEntry(
      (frame.getLineNumber() ?? 0) - 1,
      (frame.getColumnNumber() ?? 0) - 1,
    );
    if (!mapped || !at || !('originalSource' in at)) return frame.toString();
    const source = fileURLToPath(new URL(at.originalSource, mapped.url));
    const named =
      caller?.getFileName() === file
        ? (mapped.map.findEntry(
            (caller.getLineNumber() ?? 0) - 1,
            (caller.getColumnNumber() ?? 0) - 1,
          ) as { name?: string })
        : {};
    const name = named.name ?? frame.getFunctionName();
    const where = `${source}:${at.originalLine + 1}:${at.originalColumn + 1}`;
    return name ? `${name} (${where})` : where;
  } catch {
    return frame.toString();
  }
}
