/**
 * A Kubernetes API emulator on loopback HTTPS, standing in for an EKS API server in local mode
 * and in the workflow tests: discovery, the storage and RBAC kinds, server-side apply, PV/PVC
 * binding, Status errors, EKS bearer-token authentication that verifies signatures and asks STS
 * (moto) who the caller is, EKS access entries, and RBAC authorization.
 */
import { type AccessEntry, controlsAccess } from './access-entries.ts';
import { Authenticator } from './authentication.ts';
import {
  type CertificateAuthorityPem,
  createCertificateAuthority,
  issueServingCertificate,
} from './certificates.ts';
import { FaultInjector, type KubeFault } from './faults.ts';
import { JobRunner, type JobRunnerOptions } from './jobs.ts';
import { buildKubeconfig, type KubeconfigUser } from './kubeconfig.ts';
import { ObjectApi } from './object-api.ts';
import type { KubeObject } from './objects.ts';
import { authorize, type RbacPolicy } from './rbac.ts';
import { defaultRbacObjects } from './rbac-defaults.ts';
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  findResourceByKind,
  NAMESPACES,
  ROLE_BINDINGS,
  ROLES,
} from './resources.ts';
import { type KubeRequestLog, startKubeServer } from './server.ts';
import { ObjectStore } from './store.ts';

export type { AccessEntry, ClusterAccess } from './access-entries.ts';
export { kubernetesUserOf } from './access-entries.ts';
export type { CertificateAuthorityPem } from './certificates.ts';
export { createCertificateAuthority } from './certificates.ts';
export type { KubeFault } from './faults.ts';
export type {
  JobRunnerOptions,
  PodFate,
  PodFateOracle,
  PodPlacement,
  PodVolume,
} from './jobs.ts';
export type { ExecCredentialPlugin, KubeconfigUser } from './kubeconfig.ts';
export {
  type ApiServerTarget,
  type AppliedObject,
  type ApplyManifestsOptions,
  applyManifestFile,
  applyManifests,
} from './manifest-apply.ts';
export type { KubeObject, ManagedFieldsEntry, ObjectMeta } from './objects.ts';
export type { AuthorizationDecision, RbacPolicy, UserInfo } from './rbac.ts';
export { AUTHENTICATED_GROUP, authorize, SUPERUSER_GROUP, staticPolicy } from './rbac.ts';
export type { RequestAttributes } from './request-attributes.ts';
export { requestAttributes } from './request-attributes.ts';
export type { KubeRequestLog } from './server.ts';

export interface KubeEmulatorOptions {
  /** The only cluster whose tokens are accepted (the signed `x-k8s-aws-id`). */
  readonly clusterName: string;
  /** Where to ask GetCallerIdentity (moto's URL); never a URL taken from a token. */
  readonly stsEndpoint: string;
  /** The keys whose signatures can be verified (local mode: testing/testing). */
  readonly credentials: ReadonlyArray<{
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  }>;
  /** @default 'us-east-1'; the region `kubeconfig` exec users ask tokens for */
  readonly region?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default a free port */
  readonly port?: number;
  /** @default ['default', 'kube-system', 'kube-public', 'kube-node-lease'] */
  readonly namespaces?: readonly string[];
  /** A CA to sign the serving certificate with, to share one CA across emulators. @default a new one */
  readonly ca?: CertificateAuthorityPem;
  /** The clock for token expiry and timestamps. @default () => new Date() */
  readonly now?: () => Date;
  /** Called once per request (never with a token). */
  readonly log?: (entry: KubeRequestLog) => void;
  /**
   * EKS access entries: the Kubernetes username and groups of each IAM role or user allowed
   * in. With this or `clusterAdmins` set, a caller with neither gets 401, and every request is
   * authorized by RBAC against the stored Roles, ClusterRoles and bindings (the bootstrap
   * ClusterRoles are seeded: `cluster-admin`, `system:discovery`, `system:basic-user`,
   * `system:public-info-viewer`). With neither, every authenticated caller is a cluster admin.
   */
  readonly accessEntries?: readonly AccessEntry[];
  /** Principal ARNs in `system:masters` (the cluster creator, AmazonEKSClusterAdminPolicy). */
  readonly clusterAdmins?: readonly string[];
  /**
   * Runs Jobs: each gets a pod whose fate (scheduled? its volumes mounted?) the oracle decides
   * (local/kube-emulator/jobs.ts). @default Jobs are stored and never run
   */
  readonly jobs?: JobRunnerOptions;
}

export interface KubeEmulator {
  /** `https://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly caPem: string;
  /** Base64 of `caPem`, as in a kubeconfig or DescribeCluster `certificateAuthority.data`. */
  readonly caData: string;
  readonly clusterName: string;
  /** The CA, to pass as `ca` to another emulator. */
  readonly ca: CertificateAuthorityPem;
  /** kubeconfig YAML for this emulator with a static token or an exec plugin. */
  kubeconfig(options: { readonly user: KubeconfigUser; readonly namespace?: string }): string;
  stop(): Promise<void>;
  /** A snapshot of every stored object (for "nothing left behind" checks). */
  objects(): ReadonlyArray<KubeObject>;
  /** The next matching request(s) fail with the given Status (429 with `Retry-After: 1`). */
  injectFault(fault: KubeFault): void;
  clearFaults(): void;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Starts an emulator; resolves once it listens. */
export async function startKubeEmulator(options: KubeEmulatorOptions): Promise<KubeEmulator> {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const ca = options.ca ?? (await createCertificateAuthority());
  const tls = await issueServingCertificate(ca, [host, '127.0.0.1', 'localhost', '::1']);

  const api = new ObjectApi(new ObjectStore(), now);
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES) {
    api.seed(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const access = {
    ...(options.accessEntries ? { accessEntries: options.accessEntries } : {}),
    ...(options.clusterAdmins ? { clusterAdmins: options.clusterAdmins } : {}),
  };
  // Seeded only when access is controlled, so an emulator without RBAC stores what it did.
  if (controlsAccess(access)) {
    for (const object of defaultRbacObjects()) {
      const resource = findResourceByKind(object.apiVersion, object.kind);
      if (resource) api.seed(resource, object);
    }
  }
  const everything = () => true;
  const policy: RbacPolicy = {
    clusterRoleBindings: () => api.list(CLUSTER_ROLE_BINDINGS, undefined, everything).items,
    roleBindings: (namespace) => api.list(ROLE_BINDINGS, namespace, everything).items,
    clusterRole: (name) => api.find({ resource: CLUSTER_ROLES, name }),
    role: (namespace, name) => api.find({ resource: ROLES, namespace, name }),
  };
  const jobs = options.jobs ? new JobRunner(api, now, options.jobs) : undefined;
  const faults = new FaultInjector();
  const server = await startKubeServer({
    host,
    port: options.port ?? 0,
    tls,
    authenticator: new Authenticator({
      clusterName: options.clusterName,
      credentials: options.credentials,
      stsEndpoint: options.stsEndpoint,
      now,
      access,
    }),
    authorize: (user, attributes) => authorize(user, attributes, policy),
    api,
    faults,
    now,
    ...(options.log ? { log: options.log } : {}),
  });

  const endpoint = `https://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  const caData = Buffer.from(ca.certPem, 'utf8').toString('base64');
  return {
    endpoint,
    caPem: ca.certPem,
    caData,
    clusterName: options.clusterName,
    ca,
    kubeconfig: ({ user, namespace }) =>
      buildKubeconfig({
        clusterName: options.clusterName,
        region,
        server: endpoint,
        caData,
        user,
        ...(namespace ? { namespace } : {}),
      }),
    stop: () => {
      jobs?.stop();
      return server.close();
    },
    objects: () => api.all(),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
  };
}
