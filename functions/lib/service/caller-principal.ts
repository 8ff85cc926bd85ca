/**
 * Who calls, as one principal: API Gateway's IAM authorization gives the caller's ARN as
 * `requestContext.identity.userArn`, and for a role that is the *session*
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), which changes with every
 * `aws sts assume-role`, every pod and every Lambda cold start. The principal is the role,
 * the user, the federated user or the account root: ACCESS_POLICY rules match it, the
 * volume's owner is it, and an Idempotency-Key is scoped to it.
 *
 * Paths: an assumed-role ARN omits the role's path (`role/teams/deployer` assumes as
 * `assumed-role/deployer/…`), so a role principal is `arn:<partition>:iam::<account>:role/<name>`
 * without its path, and rules naming a role or user with a path are read without it
 * (names are unique in an account whatever their path). A wildcard cannot stand for a path.
 */

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):(iam|sts)::(\d{12}):(.+)$/;

export interface CallerPrincipal {
  /** The principal's ARN, path-free, e.g. `arn:aws:iam::123456789012:role/deployer`. */
  readonly arn: string;
  readonly account: string;
  readonly kind: 'role' | 'user' | 'federated-user' | 'root';
  /** The session name, for an assumed role or a federated user (audit only, never authority). */
  readonly session?: string;
}

/** The last segment of a `type/path/…/name` resource, i.e. the name without its path. */
function nameOf(resource: string): string {
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/**
 * The principal behind an IAM caller ARN as API Gateway or STS GetCallerIdentity give it.
 *
 * @returns undefined for anything that is not an IAM identity ARN
 */
export function callerPrincipal(callerArn: string): CallerPrincipal | undefined {
  const match = ARN.exec(callerArn);
  if (!match) return undefined;
  const [, partition, service, account, resource] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const iam = (path: string) => `arn:${partition}:iam::${account}:${path}`;
  if (service === 'sts') {
    const assumed = /^assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(resource);
    if (assumed?.[1] && assumed[2]) {
      return { arn: iam(`role/${assumed[1]}`), account, kind: 'role', session: assumed[2] };
    }
    const federated = /^federated-user\/([\w+=,.@-]+)$/.exec(resource);
    if (federated?.[1]) {
      return { arn: callerArn, account, kind: 'federated-user', session: federated[1] };
    }
    return undefined;
  }
  if (resource === 'root') return { arn: iam('root'), account, kind: 'root' };
  if (/^role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(resource)) {
    return { arn: iam(`role/${nameOf(resource)}`), account, kind: 'role' };
  }
  if (/^user\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(resource)) {
    return { arn: iam(`user/${nameOf(resource)}`), account, kind: 'user' };
  }
  return undefined;
}

/**
 * A rule's caller pattern in the principal's form: a role or user named with a path loses the
 * path, anything else is kept. A `*` may end the name (`role/team-a-*`), never a path.
 *
 * @throws Error for a pattern whose wildcard would have to match a path (`role/teams/*`)
 */
export function principalPattern(pattern: string): string {
  const match = /^(arn:[\w-]+:iam::(?:\d{12}|\*):)(role|user)\/(.+)$/.exec(pattern);
  if (!match?.[1] || !match[2] || !match[3]) return pattern;
  const [, prefix, type, rest] = match;
  if (rest.includes('/') && rest.includes('*')) {
    throw new Error(
      `ACCESS_POLICY caller "${pattern}": a wildcard cannot match a ${type} path, because API Gateway's caller ARN for an assumed role has none; name ${type}s by name (e.g. ${prefix}${type}/team-a-*)`,
    );
  }
  return `${prefix}${type}/${nameOf(rest)}`;
}
