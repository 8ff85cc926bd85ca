/**
 * kubeconfig text for the emulator, for kubectl and for KubeConfig.loadFromString: a static
 * token, or an exec plugin that mints EKS tokens (`aws eks get-token` by default).
 */
import { dump } from 'js-yaml';

export interface ExecCredentialPlugin {
  /** @default 'aws' */
  readonly command?: string;
  /** @default ['eks', 'get-token', '--cluster-name', <cluster>, '--region', <region>] */
  readonly args?: readonly string[];
  /** Added to the plugin's environment. @default AWS_ENDPOINT_URL_STS: the real regional STS URL */
  readonly env?: Readonly<Record<string, string>>;
}

export type KubeconfigUser = { readonly token: string } | { readonly exec: ExecCredentialPlugin };

export interface KubeconfigOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly server: string;
  /** Base64 of the CA's PEM. */
  readonly caData: string;
  readonly user: KubeconfigUser;
  /** The context's default namespace. */
  readonly namespace?: string;
}

function userEntry(options: KubeconfigOptions): Record<string, unknown> {
  if ('token' in options.user) return { token: options.user.token };
  const exec = options.user.exec;
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: exec.command ?? 'aws',
      args: [
        ...(exec.args ?? [
          'eks',
          'get-token',
          '--cluster-name',
          options.clusterName,
          '--region',
          options.region,
        ]),
      ],
      env: Object.entries({
        // Local mode sets AWS_ENDPOINT_URL to moto; without this, `aws eks get-token` would
        // presign for moto's URL, which no EKS (nor this emulator) accepts. Presigning is local.
        AWS_ENDPOINT_URL_STS: `https://sts.${options.region}.amazonaws.com`,
        ...exec.env,
      }).map(([name, value]) => ({ name, value })),
      interactiveMode: 'Never',
      provideClusterInfo: false,
    },
  };
}

export function buildKubeconfig(options: KubeconfigOptions): string {
  const name = options.clusterName;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server: options.server, 'certificate-authority-data': options.caData } },
    ],
    users: [{ name, user: userEntry(options) }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}
