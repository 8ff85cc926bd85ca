// The AWS identities of local mode. moto accepts any key and verifies no signature; the
// Kubernetes emulator does verify the EKS tokens' signatures, so it must know every secret
// key a caller may sign with: local mode's own, and each function role's session keys.
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type CatalogFunction, FUNCTION_CATALOG } from '../infra/function-catalog.ts';

/** The keys of the developer who runs local mode (and of the tests' own AWS calls). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '123456789012';
/** The stack's restore role (infra/restore-role.ts) as local mode names it; AWS Backup's model takes any. */
export const LOCAL_RESTORE_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/efs-volumes-Restore`;

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Every key local mode has handed out, for the Kubernetes emulator's signature check. Live:
 * the function identities are added as they are made, and the emulator reads it per token.
 */
export const LOCAL_SIGNING_KEYS: SigningKey[] = [LOCAL_CREDENTIALS];

/** A function's identity: its role's session, as Lambda assumes the execution role. */
export interface FunctionIdentity {
  readonly functionName: string;
  /** `arn:aws:iam::123456789012:role/efs-volumes-<Role>`, what an access entry names. */
  readonly roleArn: string;
  /** `arn:aws:sts::123456789012:assumed-role/efs-volumes-<Role>/efs-volumes-<Function>` */
  readonly sessionArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** The local name of a catalog role (the stack lets CloudFormation name them). */
export function localRoleName(fn: CatalogFunction): string {
  return `efs-volumes-${fn.role}`;
}

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

const identities = new Map<string, Promise<ReadonlyMap<string, FunctionIdentity>>>();
const byAccessKey = new Map<string, FunctionIdentity>();

/**
 * Makes each function's role in moto's IAM (once per endpoint) and assumes it with the
 * function's name as the session name, as Lambda does, so every function calls AWS and the
 * Kubernetes API as itself: moto's GetCallerIdentity answers its assumed-role ARN.
 *
 * @param endpoint - moto's URL (roles are account-wide: an existing role is reused)
 */
export function functionIdentities(
  endpoint: string,
): Promise<ReadonlyMap<string, FunctionIdentity>> {
  let made = identities.get(endpoint);
  if (!made) {
    made = makeIdentities(endpoint);
    identities.set(endpoint, made);
    made.catch(() => identities.delete(endpoint));
  }
  return made;
}

/** Forgets the identities made in this moto (emptied with them): the next use makes new ones. */
export function forgetFunctionIdentities(endpoint: string): void {
  identities.delete(endpoint);
}

/** Remembers identities for the emulator's signature check and the call recorder. */
function register(list: readonly FunctionIdentity[]): ReadonlyMap<string, FunctionIdentity> {
  const result = new Map<string, FunctionIdentity>();
  for (const identity of list) {
    result.set(identity.functionName, identity);
    if (!byAccessKey.has(identity.accessKeyId)) {
      byAccessKey.set(identity.accessKeyId, identity);
      LOCAL_SIGNING_KEYS.push({
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
      });
    }
  }
  return result;
}

async function makeIdentities(endpoint: string): Promise<ReadonlyMap<string, FunctionIdentity>> {
  const clientConfig = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const iam = new IAMClient(clientConfig);
  const sts = new STSClient(clientConfig);
  const roles = [...new Set(FUNCTION_CATALOG.map(localRoleName))];
  await Promise.all(
    roles.map((roleName) =>
      iam
        .send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_POLICY }))
        .catch((error: { name?: string }) => {
          // A moto emptied but for IAM and STS (the tests) still has it: reuse it.
          if (!/^EntityAlreadyExists(Exception)?$/.test(error.name ?? '')) throw error;
        }),
    ),
  );
  const made = await Promise.all(
    FUNCTION_CATALOG.map(async (fn): Promise<FunctionIdentity> => {
      const roleArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/${localRoleName(fn)}`;
      const session = `efs-volumes-${fn.name}`;
      const { Credentials, AssumedRoleUser } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: session,
          DurationSeconds: 43_200,
        }),
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) {
        throw new Error(`moto gave no credentials for ${roleArn}`);
      }
      return {
        functionName: fn.name,
        roleArn,
        sessionArn:
          AssumedRoleUser?.Arn ??
          `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${localRoleName(fn)}/${session}`,
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      };
    }),
  );
  return register(made);
}

/** Which function signed with this access key, if any. */
export function functionOfAccessKey(accessKeyId: string): FunctionIdentity | undefined {
  return byAccessKey.get(accessKeyId);
}
