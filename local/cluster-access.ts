// A cluster's access as the stack and an operator set it up in AWS: the EKS access entries put
// each function's role in the Kubernetes group the stack gives it (infra/function-catalog.ts),
// and an admin applies infra/rbac.yaml (`kubectl apply -f infra/rbac.yaml`). Local mode and the
// workflow tests give their Kubernetes emulators exactly this, so a step that needs a verb
// rbac.yaml lacks fails here as it would in AWS.
import { fileURLToPath } from 'node:url';
import { buildEksToken } from '../functions/lib/kube/eks-token.ts';
import { FUNCTION_CATALOG } from '../infra/function-catalog.ts';
import { KUBERNETES_GROUP_NAMES } from '../infra/kubernetes-groups.ts';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, localRoleName } from './credentials.ts';
import {
  type AccessEntry,
  type AppliedObject,
  applyManifestFile,
  type KubeEmulator,
} from './kube-emulator/index.ts';

/** The RBAC an operator applies once per cluster. */
export const SERVICE_RBAC_FILE = fileURLToPath(new URL('../infra/rbac.yaml', import.meta.url));

/**
 * Who is the cluster's admin locally: the developer's own keys (moto reports them as this
 * user), as the cluster creator is in EKS. The kubeconfig `npm start` writes uses them.
 */
export const LOCAL_CLUSTER_ADMINS: readonly string[] = [`arn:aws:iam::${LOCAL_ACCOUNT}:user/moto`];

/** The stack's access entries: one per role that calls the Kubernetes API, with its group. */
export function serviceAccessEntries(): AccessEntry[] {
  const byRole = new Map<string, AccessEntry>();
  for (const fn of FUNCTION_CATALOG) {
    if (!fn.kubernetesGroup) continue;
    const principalArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/${localRoleName(fn)}`;
    byRole.set(principalArn, {
      principalArn,
      kubernetesGroups: [KUBERNETES_GROUP_NAMES[fn.kubernetesGroup]],
    });
  }
  return [...byRole.values()];
}

/** What `startKubeEmulator` needs to authorize as EKS with the stack's access entries does. */
export function clusterAccessOptions() {
  return { accessEntries: serviceAccessEntries(), clusterAdmins: LOCAL_CLUSTER_ADMINS };
}

/** Applies infra/rbac.yaml to an emulator as the cluster admin, through its API. */
export async function applyServiceRbac(emulator: KubeEmulator): Promise<AppliedObject[]> {
  const token = await buildEksToken({
    clusterName: emulator.clusterName,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return applyManifestFile(emulator, SERVICE_RBAC_FILE, { token });
}
