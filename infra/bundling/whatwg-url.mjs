// What the bundles carry instead of the `whatwg-url` package (infra/bundling.ts, `--alias`).
// Its only importer, node-fetch 2 (through @kubernetes/client-node), reads it as a fallback
// for runtimes without a global URL: `const URL = Url.URL || whatwgUrl.URL`. Node 24 has one,
// so whatwg-url never runs there, yet it brought 285 kB (tr46's IDNA table) into every
// Kubernetes step. This module hands node-fetch Node's own URL, the class it uses anyway.
const { URL, URLSearchParams } = globalThis;

export { URL, URLSearchParams };
export default { URL, URLSearchParams };
