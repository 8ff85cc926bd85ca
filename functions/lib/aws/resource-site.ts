/**
 * Where the file systems are: their ARNs name the Region and the account, as AWS Backup names
 * the resources it backs up.
 */
export interface ResourceSite {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** The account and partition of an IAM role ARN (the stack's restore role). */
export function siteOfRoleArn(
  roleArn: string | undefined,
  region: string | undefined,
): ResourceSite | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//.exec(roleArn ?? '');
  if (!match?.[1] || !match[2] || !region) return undefined;
  return { partition: match[1], accountId: match[2], region };
}
