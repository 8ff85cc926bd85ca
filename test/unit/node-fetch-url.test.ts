import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledSnippet } from '../support/bundled-snippet.ts';

// node-fetch 2, the Kubernetes client's HTTP, as the steps' bundles carry it
// (infra/bundling.ts: node-fetch-whatwg-url), run in a process of its own: Node prints a
// deprecation once per process, so this one must not have seen one before.
const SHIM = fileURLToPath(new URL('../../infra/bundling/node-fetch-url.mjs', import.meta.url));

let folder: string;
let bundle: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'node-fetch-url-'));
  bundle = await bundledSnippet("export { default as fetch } from 'node-fetch';", folder, 'fetch');
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs an ES module script in a fresh Node process and parses the JSON it prints. */
function runScript(script: string, flags: readonly string[] = []): unknown {
  const output = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

describe("the bundles' node-fetch", () => {
  it('sends a request to the path and host of its URL, with no url.parse() deprecation', () => {
    // Act: a GET with a query through the bundled node-fetch, to a server in the same process
    const answer = runScript(`
      import { createServer } from 'node:http';
      const warnings = [];
      process.on('warning', (warning) => warnings.push(warning.code ?? warning.name));
      const { fetch } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const seen = [];
      const server = createServer((request, response) => {
        seen.push(request.method + ' ' + request.url + ' ' + request.headers.host);
        response.end('ok');
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = 'http://127.0.0.1:' + server.address().port + '/api/v1/namespaces/team-a?fieldManager=efs-volumes&force=true';
      const response = await fetch(url);
      const body = await response.text();
      server.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      console.log(JSON.stringify({ status: response.status, body, seen, sameUrl: response.url === url, warnings }));
    `) as { status: number; body: string; seen: string[]; sameUrl: boolean; warnings: string[] };

    // Assess
    expect(answer).toMatchObject({ status: 200, body: 'ok', sameUrl: true });
    expect(answer.seen).toEqual([
      expect.stringMatching(
        /^GET \/api\/v1\/namespaces\/team-a\?fieldManager=efs-volumes&force=true 127\.0\.0\.1:\d+$/,
      ),
    ]);
    expect(answer.warnings).not.toContain('DEP0169');
  });

  it("gets from its url.parse() what Node's gives for the absolute URLs it is passed", () => {
    // Prepare: the normalized URLs node-fetch hands it (it runs each through `new URL` first)
    const urls = [
      'https://ABCDEF0123.gr7.us-east-1.eks.amazonaws.com/apis/storage.k8s.io/v1/storageclasses/efs-sc',
      'https://127.0.0.1:6443/api/v1/persistentvolumes?labelSelector=a%3Db&limit=20',
      'http://user:p%40ss@[::1]:8080/a/b?c=d#e',
      'https://kube.example/',
    ].map((url) => new URL(url).href);

    // Act
    const compared = runScript(
      `
      import { parse as legacy } from 'node:url';
      import { parse } from ${JSON.stringify(pathToFileURL(SHIM).href)};
      const fields = ['protocol', 'slashes', 'auth', 'host', 'port', 'hostname', 'hash', 'search', 'query', 'pathname', 'path', 'href'];
      const urls = ${JSON.stringify(urls)};
      console.log(JSON.stringify(urls.map((url) => {
        const [ours, node] = [parse(url), legacy(url)];
        return Object.fromEntries(fields.filter((f) => ours[f] !== node[f]).map((f) => [f, [ours[f], node[f]]]));
      })));
    `,
      // Node's own url.parse() is the reference here: its warning says nothing new.
      ['--no-deprecation'],
    );

    // Assess: no field differs
    expect(compared).toEqual(urls.map(() => ({})));
  });
});
