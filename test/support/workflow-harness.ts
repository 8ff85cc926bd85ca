// What the workflow tests share: a volumes table and a seeded cluster in the shared moto, a
// Kubernetes emulator for that cluster, and a way to run the real provision ASL locally.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  paginateDescribeAccessPoints,
} from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newVolumeId, VOLUME_ID_LABEL, VOLUME_ID_TAG } from '../../functions/lib/volume/names.ts';
import { type VolumeRecord, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { type VolumeRequest, validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { applyServiceRbac, clusterAccessOptions } from '../../local/cluster-access.ts';
import { routeClusterTo } from '../../local/cluster-routing.ts';
import { LOCAL_SIGNING_KEYS } from '../../local/credentials.ts';
import { type KubeEmulator, startKubeEmulator } from '../../local/kube-emulator/index.ts';
import { type SeededCluster, seedCluster } from '../../local/seed-cluster.ts';
import {
  type LocalExecution,
  type LocalRunOptions,
  PROVISION_ASL,
  runLocalWorkflow,
  unwrapExecutionError,
} from '../../local/step-functions/local-workflow.ts';
import { createVolumesTable } from '../../local/volumes-table.ts';
import { motoEndpoint } from './moto-endpoint.ts';

export { PROVISION_STEPS } from './provision-steps.ts';

// moto itself, named: this module is loaded once per test process (vitest.config.ts: isolate
// false), while AWS_ENDPOINT_URL may name a file's fault proxy, gone with that file.
const moto = { endpoint: motoEndpoint(), region: 'us-east-1' };
export const ec2 = new EC2Client(moto);
export const efs = new EFSClient(moto);
export const eks = new EKSClient(moto);
export const dynamodb = new DynamoDBClient(moto);
export const documents = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true },
});

/** Every key local mode signs with, the functions' role sessions included (live). */
export const credentials = LOCAL_SIGNING_KEYS;

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A volumes table of its own for one test file, named in VOLUMES_TABLE for the handlers. */
export async function useVolumesTable(): Promise<VolumeRecordStore> {
  const table = uniqueName('volumes');
  await createVolumesTable(dynamodb, table);
  process.env.VOLUMES_TABLE = table;
  return new VolumeRecordStore(documents, table);
}

export interface TestCluster {
  readonly seeded: SeededCluster;
  readonly emulator: KubeEmulator;
}

export async function startTestCluster(namespaces: string[] = ['team-a']): Promise<TestCluster> {
  const name = uniqueName('wf');
  const seeded = await seedCluster({ ec2, eks }, name);
  const emulator = await startEmulatorFor(name, namespaces);
  return { seeded, emulator };
}

export async function startEmulatorFor(
  clusterName: string,
  namespaces: string[] = ['team-a'],
): Promise<KubeEmulator> {
  const emulator = await startKubeEmulator({
    clusterName,
    stsEndpoint: process.env.AWS_ENDPOINT_URL ?? '',
    credentials,
    namespaces: ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...namespaces],
    ...clusterAccessOptions(),
  });
  await applyServiceRbac(emulator);
  routeClusterTo(clusterName, emulator);
  return emulator;
}

export interface ProvisionOutcome extends ExecutionOutcome {
  readonly volumeId: string;
  readonly record: VolumeRecord;
}

/** Records a volume as the API would, then runs the real provision ASL to its end. */
export async function provision(
  records: VolumeRecordStore,
  request: Partial<VolumeRequest> & Pick<VolumeRequest, 'clusterName'>,
  options: LocalRunOptions = {},
): Promise<ProvisionOutcome> {
  const volumeId = newVolumeId();
  const spec = validateVolumeRequest({ namespace: 'team-a', name: uniqueName('data'), ...request });
  // As the API does: the record names the execution, whose input carries ids only.
  await records.create(volumeId, spec, { executionName: volumeId });
  const run = await runExecution(
    PROVISION_ASL,
    { volumeId, operation: 'provision' },
    { executionName: volumeId, ...options },
  );
  return { volumeId, record: await records.require(volumeId), ...run };
}

/** How an execution ended: its output or error, and its events. */
export interface ExecutionOutcome {
  readonly output: unknown;
  readonly error: (Error & { cause?: unknown }) | undefined;
  readonly events: ReadonlyArray<{ type: string; state?: { name: string; output?: unknown } }>;
  /** State transitions as Step Functions bills them: states entered plus retries. */
  readonly transitions: number;
}

/** Runs an execution of an ASL file to its end, as anyone who may start one could. */
export function runExecution(
  file: URL,
  input: unknown,
  options: LocalRunOptions = {},
): Promise<ExecutionOutcome> {
  return finished(
    runLocalWorkflow(file, input, { waitMilliseconds: 0, retryMilliseconds: 0, ...options }),
  );
}

async function finished(execution: LocalExecution): Promise<ExecutionOutcome> {
  const events: Array<{ type: string; state?: { name: string; output?: unknown } }> = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs)
      events.push(event as { type: string; state?: { name: string; output?: unknown } });
  })();
  let output: unknown;
  let error: Error | undefined;
  try {
    output = await execution.result;
  } catch (caught) {
    // aws-local-stepfunctions wraps the Fail state's error in an ExecutionError.
    error = unwrapExecutionError(caught);
  }
  await collecting;
  const transitions = events.filter(
    (event) => event.type === 'StateEntered' || event.type === 'StateRetried',
  ).length;
  return { output, error, events, transitions };
}

/** Every AWS resource of a volume that moto still has, found by token and tag. */
export async function awsLeftovers(volumeId: string): Promise<string[]> {
  const left: string[] = [];
  const { FileSystems = [] } = await efs.send(
    new DescribeFileSystemsCommand({ CreationToken: volumeId }),
  );
  for (const fileSystem of FileSystems) {
    left.push(`FileSystem/${fileSystem.FileSystemId}`);
    const { MountTargets = [] } = await efs.send(
      new DescribeMountTargetsCommand({ FileSystemId: fileSystem.FileSystemId }),
    );
    for (const target of MountTargets) left.push(`MountTarget/${target.MountTargetId}`);
  }
  // Every page: the shared moto holds more access points than one page (100) lists, and the
  // volume's may sit on a shared file system that its token does not name.
  for await (const { AccessPoints = [] } of paginateDescribeAccessPoints({ client: efs }, {})) {
    for (const point of AccessPoints) {
      if (point.Tags?.some((tag) => tag.Key === VOLUME_ID_TAG && tag.Value === volumeId)) {
        left.push(`AccessPoint/${point.AccessPointId}`);
      }
    }
  }
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${VOLUME_ID_TAG}`, Values: [volumeId] }],
    }),
  );
  for (const group of SecurityGroups) left.push(`SecurityGroup/${group.GroupId}`);
  return left;
}

/**
 * The objects a cluster has before any volume: namespaces, and the RBAC the defaults and the
 * operator's `kubectl apply -f infra/rbac.yaml` made. "Nothing left behind" means nothing else.
 */
export function isClusterSetup(object: { kind: string; apiVersion?: string }): boolean {
  return (
    object.kind === 'Namespace' ||
    (object.apiVersion ?? '').startsWith('rbac.authorization.k8s.io/')
  );
}

/** Every Kubernetes object of a volume still in the emulator, by label or created-by label. */
export function kubeLeftovers(emulator: KubeEmulator, volumeId: string): string[] {
  return emulator
    .objects()
    .filter((object) => Object.values(object.metadata?.labels ?? {}).includes(volumeId))
    .map((object) => `${object.kind}/${object.metadata?.name}`);
}

export { routeClusterTo, VOLUME_ID_LABEL };
