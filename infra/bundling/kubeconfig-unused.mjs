// What the bundles carry instead of four packages that @kubernetes/client-node's KubeConfig
// (dist/config.js) and its auth providers import, for ways of reaching a cluster the functions
// never take (infra/bundling.ts, plugin `kubeconfig-unused`). functions/lib/kube/client.ts
// builds its KubeConfig in memory with `loadFromOptions`: one cluster (endpoint and CA), one
// user with an EKS token; no kubeconfig text to parse, no proxy, no auth provider. So:
// - js-yaml (44 kB): read only by `loadFromString`/`loadFromFile`, to parse a kubeconfig;
// - socks-proxy-agent (with socks, ip-address, smart-buffer: 75 kB): only for a cluster's
//   `proxy-url` of scheme socks;
// - jsonpath-plus (25 kB): only by the azure and gcp auth providers, to read their token;
// - openid-client (with oauth4webapi: 20 kB): only by the oidc auth provider, to refresh.
// Each stand-in throws, naming what is not bundled, if a later change ever takes one of
// those ways; the tests check that the functions' KubeConfig never does.
function notBundled(what) {
  return () => {
    throw new Error(
      `${what} is not bundled (infra/bundling/kubeconfig-unused.mjs): build the KubeConfig with loadFromOptions, a token and no proxy`,
    );
  };
}

// js-yaml: `import yaml from 'js-yaml'`, yaml.load / yaml.dump.
export const load = notBundled('js-yaml (KubeConfig.loadFromString)');
export const dump = notBundled('js-yaml');
export default { load, dump };

// socks-proxy-agent: `new SocksProxyAgent(url, options)`.
export class SocksProxyAgent {
  constructor() {
    notBundled('socks-proxy-agent (a socks proxy-url)')();
  }
}

// jsonpath-plus: `jsonpath.JSONPath({ path, json })`.
export const JSONPath = notBundled('jsonpath-plus (the azure and gcp auth providers)');

// openid-client: `oidc.discovery(…)`, `oidc.refreshTokenGrant(…)`.
export const discovery = notBundled('openid-client (the oidc auth provider)');
export const refreshTokenGrant = notBundled('openid-client (the oidc auth provider)');
