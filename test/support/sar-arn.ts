/**
 * A Service Authorization Reference ARN format as a RegExp that matches the ARNs of its
 * resource type: `arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}`.
 * Each `${…}` (`${Vendor}` and `${ResourceType}` of AWS Backup's formats too) is one segment; a
 * `*` of the SAR's own (recovery points: any account) matches any segment.
 */
export function sarArnPattern(format: string): RegExp {
  const escaped = format
    .split(/\$\{[^}]+\}/)
    .map((part) => part.replace(/[.+?^()|[\]\\]/g, '\\$&').replaceAll('*', '[^:]*'))
    .join('[^:/]+');
  return new RegExp(`^${escaped}$`);
}
