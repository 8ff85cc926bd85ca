// Completes a described call with what only the service knows: the file system or network
// interface behind a mount target id, the tags of every resource acted on (for
// `aws:ResourceTag/*`), and the VPC of a network interface created or deleted (for `ec2:Vpc`,
// which EC2 sets from the subnet or the interface itself). Reads go straight to moto with clients the caller supplies, never
// through the recording proxy, so they are not themselves recorded.
import { DescribeSubnetsCommand, DescribeTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  type EFSClient,
} from '@aws-sdk/client-efs';
import type { AwsCallDescription, CallSite } from './describe-call.ts';

/** The tags of resources that have any, by ARN. */
export type TagsByArn = Record<string, Record<string, string>>;

/** SDK clients pointed at moto itself. */
export interface ResourceClients {
  readonly efs: EFSClient;
  readonly ec2: EC2Client;
  /**
   * Reads the tags of many resources from moto's model in one request ({@link modelTagReader});
   * undefined when the server cannot, and the SDK reads them one by one.
   */
  readonly modelTags?: (arns: readonly string[]) => Promise<TagsByArn | undefined>;
}

/** A described call with its resources named and their tags read. */
export interface ResolvedAwsCall extends AwsCallDescription {
  /** The tags of each resource of `resources` that has any, by ARN. */
  readonly resourceTags: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** `arn:aws:ec2:us-east-1:123456789012:security-group/sg-1` → its parts. */
function partsOf(arn: string) {
  const [, partition, service, region, account, resource = ''] = arn.split(':');
  const slash = resource.indexOf('/');
  return {
    partition,
    service,
    region,
    account,
    type: slash < 0 ? resource : resource.slice(0, slash),
    id: slash < 0 ? '' : resource.slice(slash + 1),
  };
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

/**
 * The tags a resource carries now, or undefined when it has none to tell (gone, a pattern such
 * as `security-group/*`, or a kind whose tags no policy of the stack conditions on). Reads
 * EFS tags from DescribeFileSystems / DescribeAccessPoints and EC2 tags from DescribeTags.
 */
export async function resourceTagsOf(
  arn: string,
  clients: ResourceClients,
): Promise<Record<string, string> | undefined> {
  if (!arn.startsWith('arn:')) return undefined;
  const { service, type, id } = partsOf(arn);
  if (!id || id.includes('*')) return undefined;
  const toRecord = (tags: ReadonlyArray<{ Key?: string; Value?: string }> = []) =>
    Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  try {
    if (service === 'elasticfilesystem' && type === 'file-system') {
      const { FileSystems = [] } = await clients.efs.send(
        new DescribeFileSystemsCommand({ FileSystemId: id }),
      );
      return FileSystems[0] ? toRecord(FileSystems[0].Tags) : undefined;
    }
    if (service === 'elasticfilesystem' && type === 'access-point') {
      const { AccessPoints = [] } = await clients.efs.send(
        new DescribeAccessPointsCommand({ AccessPointId: id }),
      );
      return AccessPoints[0] ? toRecord(AccessPoints[0].Tags) : undefined;
    }
    if (service === 'ec2') {
      const { Tags = [] } = await clients.ec2.send(
        new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
      );
      return toRecord(Tags);
    }
  } catch (error) {
    // Gone already: nothing to condition on. Anything else is a fault worth seeing.
    if (/NotFound/.test(errorName(error))) return undefined;
    throw error;
  }
  return undefined;
}

/** The tags of each resource that has any, read by the SDK one resource at a time. */
async function sdkTagsOf(arns: readonly string[], clients: ResourceClients): Promise<TagsByArn> {
  const found: TagsByArn = {};
  for (const arn of arns) {
    const tags = await resourceTagsOf(arn, clients);
    if (tags && Object.keys(tags).length > 0) found[arn] = tags;
  }
  return found;
}

/** The moto endpoints found to have no `/_local/tags` (moto's own server). */
const withoutModelTags = new Set<string>();

/**
 * Reads the tags of resources from moto's model (POST /_local/tags of local/moto-server.py):
 * one request where the SDK makes a Describe call per resource, the same tags. Undefined from
 * a server that has no such path (moto's own: an error status), which is then not asked again.
 *
 * @param headers sent with each request (the door's priority mark for an API function's call)
 */
export function modelTagReader(
  motoEndpoint: string,
  region: string,
  headers: Readonly<Record<string, string>> = {},
): (arns: readonly string[]) => Promise<TagsByArn | undefined> {
  return async (arns) => {
    if (arns.length === 0) return {};
    if (withoutModelTags.has(motoEndpoint)) return undefined;
    const response = await fetch(`${motoEndpoint}/_local/tags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ region, resources: arns }),
    });
    if (!response.ok) {
      // moto's own server has no such path (it answers 500). Ours always answers 200, or drops
      // the connection on a fault, which fails the fetch and the recorded call.
      await response.body?.cancel();
      withoutModelTags.add(motoEndpoint);
      return undefined;
    }
    const { tags } = (await response.json()) as { tags?: TagsByArn };
    if (typeof tags !== 'object' || tags === null) throw new Error('moto answered no tags');
    return tags;
  };
}

/**
 * Names the resources a call points at through a lookup, then reads the tags of each. Call it
 * BEFORE the request is forwarded: a delete leaves nothing to read afterwards.
 */
export async function resolveResources(
  call: AwsCallDescription,
  clients: ResourceClients,
  site: CallSite,
): Promise<ResolvedAwsCall> {
  let resources = call.resources;
  let vpcId: string | undefined;
  if (call.lookup) {
    const { MountTargets = [] } = await clients.efs
      .send(new DescribeMountTargetsCommand({ MountTargetId: call.lookup.mountTargetId }))
      .catch((error: unknown) => {
        if (errorName(error) === 'MountTargetNotFound') return { MountTargets: [] };
        throw error;
      });
    const target = MountTargets[0];
    // A mount target already gone names nothing: `*` of the kind, which no tag condition matches.
    const prefix = `arn:${site.partition ?? 'aws'}`;
    const where = `${site.region}:${site.accountId}`;
    const named =
      call.lookup.resourceOf === 'file-system'
        ? `${prefix}:elasticfilesystem:${where}:file-system/${target?.FileSystemId ?? '*'}`
        : `${prefix}:ec2:${where}:network-interface/${target?.NetworkInterfaceId ?? '*'}`;
    resources = [named];
    if (call.lookup.resourceOf === 'network-interface') vpcId = target?.VpcId;
  }
  if (call.action === 'ec2:CreateNetworkInterface') vpcId = await subnetVpcOf(resources, clients);
  const resourceTags =
    (await clients.modelTags?.(resources)) ?? (await sdkTagsOf(resources, clients));
  const { lookup: _lookup, ...rest } = call;
  const prefix = `arn:${site.partition ?? 'aws'}:ec2:${site.region}:${site.accountId}`;
  const conditions = vpcId
    ? { ...call.conditions, 'ec2:Vpc': `${prefix}:vpc/${vpcId}` }
    : call.conditions;
  return { ...rest, resources, resourceTags, ...(conditions ? { conditions } : {}) };
}

/** The VPC of the subnet among a call's resources, or undefined when it names none that exists. */
async function subnetVpcOf(
  resources: readonly string[],
  clients: ResourceClients,
): Promise<string | undefined> {
  const subnet = resources
    .map(partsOf)
    .find(({ type, id }) => type === 'subnet' && id && id !== '*');
  if (!subnet) return undefined;
  const { Subnets = [] } = await clients.ec2
    .send(new DescribeSubnetsCommand({ SubnetIds: [subnet.id] }))
    .catch((error: unknown) => {
      if (/NotFound/.test(errorName(error))) return { Subnets: [] };
      throw error;
    });
  return Subnets[0]?.VpcId;
}
