/**
 * EKS access entries: which Kubernetes user and groups an authenticated IAM caller is. An
 * entry names an IAM role or user; a caller is an STS ARN (an assumed-role session of that
 * role, or the user itself). EKS matches a session to its role by account and role name (the
 * session ARN carries no role path) and, for a role, names the user after the session unless
 * the entry says otherwise.
 */
import { AUTHENTICATED_GROUP, SUPERUSER_GROUP, type UserInfo } from './rbac.ts';

/** One access entry, as `AWS::EKS::AccessEntry` describes it. */
export interface AccessEntry {
  /** `arn:aws:iam::<account>:role/<name>` or `arn:aws:iam::<account>:user/<name>`. */
  readonly principalArn: string;
  readonly kubernetesGroups: readonly string[];
  /**
   * May use `{{SessionName}}` (with `@` as `-`), `{{SessionNameRaw}}` and `{{AccountID}}`.
   * @default for a role `arn:aws:sts::<account>:assumed-role/<name>/{{SessionName}}`, for a user its ARN
   */
  readonly username?: string;
}

export interface ClusterAccess {
  readonly accessEntries?: readonly AccessEntry[];
  /**
   * Principal ARNs in `system:masters`, as the cluster creator or an entry with
   * AmazonEKSClusterAdminPolicy would be.
   */
  readonly clusterAdmins?: readonly string[];
}

interface Principal {
  /** `<partition>:<account>:role:<name>`: what entries and callers are matched on. */
  readonly key: string;
  readonly partition: string;
  readonly account: string;
  readonly type: 'role' | 'user' | 'root';
  readonly name: string;
  readonly sessionName: string;
}

const ARN = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

/**
 * The principal an ARN stands for: an IAM role or user ARN (paths ignored), an assumed-role
 * session ARN (its role), or the `arn:aws:sts::<account>:user/<name>` form moto's
 * GetCallerIdentity answers for long-term keys (that user).
 */
function principalOf(arn: string): Principal | undefined {
  const match = ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', service, account = '', resource = ''] = match;
  const principal = (type: Principal['type'], name: string, sessionName = ''): Principal => ({
    key: `${partition}:${account}:${type}:${name}`,
    partition,
    account,
    type,
    name,
    sessionName,
  });
  if (resource === 'root') return principal('root', '');
  const [resourceType, ...rest] = resource.split('/');
  if (service === 'sts' && resourceType === 'assumed-role' && rest.length === 2) {
    return principal('role', rest[0] ?? '', rest[1] ?? '');
  }
  const name = rest.at(-1) ?? '';
  if (!name) return undefined;
  if (service === 'iam' && resourceType === 'role') return principal('role', name);
  if (resourceType === 'user') return principal('user', name);
  return undefined;
}

function defaultUsername(entryArn: string, entry: Principal): string {
  return entry.type === 'role'
    ? `arn:${entry.partition}:sts::${entry.account}:assumed-role/${entry.name}/{{SessionName}}`
    : entryArn;
}

function render(template: string, caller: Principal): string {
  return template
    .replaceAll('{{SessionNameRaw}}', caller.sessionName)
    .replaceAll('{{SessionName}}', caller.sessionName.replaceAll('@', '-'))
    .replaceAll('{{AccountID}}', caller.account);
}

/** Whether access entries are configured at all; without them every caller is an admin. */
export function controlsAccess(access: ClusterAccess): boolean {
  return access.accessEntries !== undefined || access.clusterAdmins !== undefined;
}

/**
 * The Kubernetes user of an authenticated caller, or undefined when no entry admits it (EKS
 * then answers 401). Every user is also in `system:authenticated`.
 *
 * @param callerArn - the ARN STS GetCallerIdentity returned for the token's signer
 */
export function kubernetesUserOf(callerArn: string, access: ClusterAccess): UserInfo | undefined {
  if (!controlsAccess(access)) {
    return { username: callerArn, groups: [SUPERUSER_GROUP, AUTHENTICATED_GROUP] };
  }
  const caller = principalOf(callerArn);
  if (!caller) return undefined;
  const matches = (arn: string) => principalOf(arn)?.key === caller.key;
  const entry = access.accessEntries?.find((candidate) => matches(candidate.principalArn));
  const admin = access.clusterAdmins?.find(matches);
  if (!entry && !admin) return undefined;
  const principalArn = entry?.principalArn ?? admin ?? callerArn;
  const template =
    entry?.username ?? defaultUsername(principalArn, principalOf(principalArn) ?? caller);
  const groups = [
    ...(admin ? [SUPERUSER_GROUP] : []),
    ...(entry?.kubernetesGroups ?? []),
    AUTHENTICATED_GROUP,
  ];
  return { username: render(template, caller), groups: [...new Set(groups)] };
}
