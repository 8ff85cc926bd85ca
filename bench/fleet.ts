// The scheduled check at fleet scale, simulated: the service's own sweep (checkAllVolumes,
// planHealthBatches, checkVolumeBatch with its memoized reads) runs over thousands of READY
// volumes against in-memory AWS, Kubernetes and DynamoDB stand-ins on a virtual clock. Each
// call takes a fixed latency; AWS calls draw on the AWS model's request rates
// (local/aws-model/model.ts DEFAULT_RATE_LIMITS) and a throttled call is retried as the SDK's
// standard mode retries it. Batches run as CheckVolumeBatch invocations: three at once, each
// environment's first invocation a cold start. No real time passes: 10,000 volumes take a few
// seconds of CPU.
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { INVOKE_REQUEST_TIMEOUT_MS } from '../functions/commons/clients/lambda.ts';
import { accessPointOnlyPolicy } from '../functions/lib/aws/file-system-policy.ts';
import { STACK_TAG } from '../functions/lib/aws/tags.ts';
import type { HealthKubernetesReader } from '../functions/lib/health/check.ts';
import type { RecordedCheckDependencies } from '../functions/lib/health/record-health.ts';
import { volumeHandle } from '../functions/lib/kube/manifests.ts';
import {
  batchDependencies,
  checkAllVolumes,
  checkVolumeBatch,
  type HealthSweepSummary,
} from '../functions/lib/sweep/check-all.ts';
import { persistentVolumeName } from '../functions/lib/volume/names.ts';
import type { VolumeRecord, VolumeRecordStore } from '../functions/lib/volume/record.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../infra/function-catalog.ts';
import { DEFAULT_RATE_LIMITS } from '../local/aws-model/model.ts';
import { TokenBucket } from '../local/aws-model/token-bucket.ts';
import { round, seededRandom } from './stats.ts';

/** What one call costs on the virtual clock, in ms (a round trip inside one region). */
export const FLEET_LATENCIES_MS = {
  efs: 60,
  eks: 80,
  ec2: 100,
  kubernetes: 20,
  dynamoDbQueryPage: 25,
  dynamoDbUpdate: 10,
  lambdaInvoke: 30,
  lambdaColdStart: 600,
} as const;

/**
 * The batch's clients retry as functions/commons/clients/patient.ts sets them: 8 attempts,
 * full-jitter backoff from 100 ms doubling to at most 20 s (the SDK's backoff). Adaptive
 * mode's client-side rate limiting is not modelled: the figures are the more throttled for it.
 */
const SDK_ATTEMPTS = 8;
const SDK_BASE_DELAY_MS = 100;
const SDK_MAX_DELAY_MS = 20_000;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const STACK = 'EfsVolumes';

export interface FleetShape {
  readonly volumes: number;
  readonly clusters: number;
  /** File systems the volumes are spread over (volumes share them as access points). */
  readonly fileSystems: number;
  /** Namespaces per cluster. */
  readonly namespacesPerCluster: number;
}

export interface FleetFigures extends FleetShape {
  /** The scheduled run from its start to its last batch's end, on the virtual clock. */
  readonly checkCycleSeconds: number;
  readonly batches: number;
  readonly batchConcurrency: number;
  readonly checked: number;
  /** Left for the next run: their batch would have outlasted CheckVolumes' 600 s. */
  readonly deferred: number;
  readonly failed: number;
  /** AWS calls of the cycle by service, throttled attempts included. */
  readonly awsCalls: Readonly<Record<string, number>>;
  readonly awsCallsPerVolume: number;
  readonly throttledAttempts: number;
  readonly kubernetesReads: number;
  /** DynamoDB Query pages the run read (the READY volumes), and their read request units. */
  readonly dynamoDbQueries: number;
  readonly dynamoDbReadUnits: number;
  readonly dynamoDbWrites: number;
  /** `Volume Drifted` events put: none, in a fleet that is as built. */
  readonly driftedEvents: number;
}

/** Virtual time: a sleep resolves when every earlier one has and nothing else can run. */
class VirtualClock {
  now = 0;
  #sequence = 0;
  readonly #timers: Array<{ at: number; sequence: number; wake: () => void }> = [];

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.#timers.push({ at: this.now + ms, sequence: this.#sequence++, wake });
    });
  }

  /** Runs `work` to its end, moving the clock to the next timer whenever all else waits. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let done = false;
    const result = work().finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      this.#timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
      const next = this.#timers.shift();
      if (!next) throw new Error('the simulation is stuck: nothing to wait for');
      this.now = Math.max(this.now, next.at);
      next.wake();
    }
    return result;
  }
}

class Throttled extends Error {
  override name = 'ThrottlingException';
}

/** The fleet: volumes on clusters and file systems, and what AWS and Kubernetes hold of them. */
function fleetOf(shape: FleetShape) {
  const records: VolumeRecord[] = [];
  const accessPoints = new Map<string, AccessPointDescription[]>();
  for (let index = 0; index < shape.volumes; index += 1) {
    const cluster = index % shape.clusters;
    const clusterName = `cluster-${cluster}`;
    // Each cluster has its own file systems; a volume goes on one of its cluster's.
    const perCluster = Math.max(1, Math.floor(shape.fileSystems / shape.clusters));
    const fileSystem = cluster * perCluster + (Math.floor(index / shape.clusters) % perCluster);
    const fileSystemId = `fs-${fileSystem.toString(16).padStart(17, '0')}`;
    const accessPointId = `fsap-${index.toString(16).padStart(17, '0')}`;
    const namespace = `team-${Math.floor(index / shape.clusters) % shape.namespacesPerCluster}`;
    const id = `vol-${index.toString(16).padStart(20, '0')}`;
    const name = `data-${index}`;
    const at = new Date(Date.UTC(2026, 11, 1) + index * 1000).toISOString();
    records.push({
      recordType: 'volume',
      id,
      status: 'READY',
      clusterName,
      namespace,
      name,
      createdAt: at,
      updatedAt: at,
      spec: {
        clusterName,
        namespace,
        name,
        capacity: '5Gi',
        accessModes: ['ReadWriteMany'],
        reclaimPolicy: 'Retain',
        rootDirectory: { path: `/${namespace}/${name}`, permissions: '0750' },
        posixUser: { uid: 1000, gid: 1000 },
      } as unknown as VolumeRecord['spec'],
      steps: {},
      resources: {
        fileSystemId,
        accessPointId,
        securityGroupId: `sg-${fileSystem.toString(16).padStart(17, '0')}`,
        mountTargetIds: ZONES.map((_, zone) => `fsmt-${fileSystem}-${zone}`),
        persistentVolumeName: persistentVolumeName(id),
        persistentVolumeClaim: { namespace, name },
      },
    });
    const points = accessPoints.get(fileSystemId) ?? [];
    points.push({
      AccessPointId: accessPointId,
      FileSystemId: fileSystemId,
      LifeCycleState: 'available',
      PosixUser: { Uid: 1000, Gid: 1000 },
    });
    accessPoints.set(fileSystemId, points);
  }
  return { records, accessPoints };
}

/**
 * Simulates one scheduled run of the check over a fleet and reports its time and reads.
 * @param options.batchConcurrency - CheckVolumeBatch invocations at once @default 3, as CheckVolumes
 */
export async function simulateFleetCheck(
  shape: FleetShape,
  options: { readonly batchConcurrency?: number; readonly seed?: number } = {},
): Promise<FleetFigures> {
  const clock = new VirtualClock();
  const random = seededRandom(options.seed ?? 7);
  const { records, accessPoints } = fleetOf(shape);
  const byId = new Map(records.map((record) => [record.id, record]));
  const byVolumeName = new Map(
    records.map((record) => [record.resources.persistentVolumeName, record]),
  );
  const byClaim = new Map(records.map((record) => [`${record.namespace}/${record.name}`, record]));
  const calls: Record<string, number> = {};
  let throttledAttempts = 0;
  let kubernetesReads = 0;
  let dynamoDbQueries = 0;
  let dynamoDbReadUnits = 0;
  let dynamoDbWrites = 0;
  let drifted = 0;
  const buckets = new Map<string, TokenBucket>();
  const limitOf = (service: string) =>
    Object.entries(DEFAULT_RATE_LIMITS).find(([pattern]) => pattern === `${service} *`)?.[1];

  /** One AWS call: its latency, drawn on the account's rate for the service, retried as the SDK retries. */
  async function aws<T>(
    service: 'elasticfilesystem' | 'eks' | 'ec2',
    latency: number,
    answer: () => T,
  ) {
    const limit = limitOf(service);
    for (let attempt = 1; ; attempt += 1) {
      calls[service] = (calls[service] ?? 0) + 1;
      await clock.sleep(latency * (0.8 + 0.4 * random()));
      let bucket = buckets.get(service);
      if (limit && !bucket) {
        bucket = new TokenBucket(limit, clock.now);
        buckets.set(service, bucket);
      }
      if (!bucket || bucket.take(clock.now)) return answer();
      throttledAttempts += 1;
      if (attempt === SDK_ATTEMPTS) throw new Throttled(`${service}: Rate exceeded`);
      await clock.sleep(random() * Math.min(SDK_MAX_DELAY_MS, SDK_BASE_DELAY_MS * 2 ** attempt));
    }
  }

  const fileSystemArn = (id: string) =>
    `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${id}`;
  const subnets = ZONES.map((zone, index) => ({
    SubnetId: `subnet-${index}`,
    AvailabilityZone: zone,
    CidrBlock: `10.0.${index}.0/24`,
  }));

  // Instances of the SDK's clients (the paginators check), with `send` answered here.
  const efs = Object.assign(Object.create(EFSClient.prototype) as EFSClient, {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = command.input;
      const id = String(input.FileSystemId ?? '');
      switch (command.constructor.name) {
        case DescribeFileSystemsCommand.name:
          return aws('elasticfilesystem', FLEET_LATENCIES_MS.efs, () => ({
            FileSystems: [
              {
                FileSystemId: id,
                FileSystemArn: fileSystemArn(id),
                LifeCycleState: 'available',
                Tags: [{ Key: STACK_TAG, Value: STACK }],
              },
            ],
          }));
        case DescribeFileSystemPolicyCommand.name:
          return aws('elasticfilesystem', FLEET_LATENCIES_MS.efs, () => ({
            FileSystemId: id,
            Policy: JSON.stringify(accessPointOnlyPolicy(fileSystemArn(id), [])),
          }));
        case DescribeMountTargetsCommand.name:
          return aws('elasticfilesystem', FLEET_LATENCIES_MS.efs, () => ({
            MountTargets: ZONES.map((zone, index) => ({
              MountTargetId: `fsmt-${Number.parseInt(id.slice(3), 16)}-${index}`,
              FileSystemId: id,
              AvailabilityZoneName: zone,
              LifeCycleState: 'available',
            })),
          }));
        case DescribeAccessPointsCommand.name:
          return aws('elasticfilesystem', FLEET_LATENCIES_MS.efs, () => {
            // EFS pages access points 100 at a time.
            const all = accessPoints.get(id) ?? [];
            const start = Number(input.NextToken ?? 0);
            const page = all.slice(start, start + 100);
            return {
              AccessPoints: page,
              ...(start + 100 < all.length ? { NextToken: String(start + 100) } : {}),
            };
          });
        default:
          throw new Error(`the fleet simulation has no EFS ${command.constructor.name}`);
      }
    },
  });

  const eks = Object.assign(Object.create(EKSClient.prototype) as EKSClient, {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      switch (command.constructor.name) {
        case DescribeClusterCommand.name:
          return aws('eks', FLEET_LATENCIES_MS.eks, () => ({
            cluster: {
              name: command.input.name,
              status: 'ACTIVE',
              endpoint: `https://${String(command.input.name)}.eks.example`,
              certificateAuthority: { data: 'Q0E=' },
              resourcesVpcConfig: {
                subnetIds: subnets.map((subnet) => subnet.SubnetId),
                vpcId: 'vpc-1',
                clusterSecurityGroupId: 'sg-cluster',
              },
            },
          }));
        case ListFargateProfilesCommand.name:
          return aws('eks', FLEET_LATENCIES_MS.eks, () => ({ fargateProfileNames: ['teams'] }));
        case DescribeFargateProfileCommand.name:
          return aws('eks', FLEET_LATENCIES_MS.eks, () => ({
            fargateProfile: {
              status: 'ACTIVE',
              selectors: [{ namespace: 'team-*' }],
              subnets: subnets.map((subnet) => subnet.SubnetId),
            },
          }));
        default:
          throw new Error(`the fleet simulation has no EKS ${command.constructor.name}`);
      }
    },
  });

  const ec2 = Object.assign(Object.create(EC2Client.prototype) as EC2Client, {
    send: (command: { constructor: { name: string } }) => {
      if (command.constructor.name !== DescribeSubnetsCommand.name) {
        throw new Error(`the fleet simulation has no EC2 ${command.constructor.name}`);
      }
      return aws('ec2', FLEET_LATENCIES_MS.ec2, () => ({ Subnets: subnets }));
    },
  });

  const kubernetes = async (): Promise<HealthKubernetesReader> => ({
    readObject: async <T>(path: string): Promise<T | undefined> => {
      kubernetesReads += 1;
      await clock.sleep(FLEET_LATENCIES_MS.kubernetes);
      const pv = /^\/api\/v1\/persistentvolumes\/([^/]+)$/.exec(path);
      const pvc = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/.exec(path);
      const record = pv ? byVolumeName.get(pv[1]) : undefined;
      if (pv && record) {
        return {
          spec: {
            csi: {
              volumeHandle: volumeHandle(
                record.resources.fileSystemId ?? '',
                record.resources.accessPointId ?? '',
              ),
            },
            claimRef: { namespace: record.namespace, name: record.name },
          },
          status: { phase: 'Bound' },
        } as T;
      }
      if (pvc) {
        const claimed = byClaim.get(`${pvc[1]}/${pvc[2]}`);
        if (!claimed) return undefined;
        return {
          spec: { volumeName: claimed.resources.persistentVolumeName },
          status: { phase: 'Bound' },
        } as T;
      }
      return undefined;
    },
  });

  // DynamoDB: the READY volumes read through the index a page at a time (a Query's read
  // units: its items' sizes summed, per 4 KB, halved for an eventually consistent read).
  const itemBytes = (record: VolumeRecord) => Buffer.byteLength(JSON.stringify(record));
  const store = {
    list: async (query: { status?: string; limit: number; nextToken?: string }) => {
      dynamoDbQueries += 1;
      await clock.sleep(FLEET_LATENCIES_MS.dynamoDbQueryPage);
      const matching = query.status === 'READY' ? records : [];
      const start = Number(query.nextToken ?? 0);
      const items = matching.slice(start, start + query.limit);
      const bytes = items.reduce((total, record) => total + itemBytes(record), 0);
      dynamoDbReadUnits += Math.ceil(bytes / 4096) / 2;
      return {
        items,
        ...(start + query.limit < matching.length
          ? { nextToken: String(start + query.limit) }
          : {}),
      };
    },
    recordHealth: async (id: string) => {
      dynamoDbWrites += 1;
      await clock.sleep(FLEET_LATENCIES_MS.dynamoDbUpdate);
      if (!byId.has(id)) throw new Error(`no volume ${id}`);
      return 'HEALTHY';
    },
  } as unknown as VolumeRecordStore;

  const deps: RecordedCheckDependencies = {
    eks,
    ec2,
    efs,
    kubernetes,
    records: store,
    // `Volume Drifted`: none in a healthy fleet; counted if the simulation drifts one.
    events: {
      send: async () => {
        drifted += 1;
        await clock.sleep(FLEET_LATENCIES_MS.dynamoDbUpdate);
        return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
      },
    } as unknown as EventBridgeClient,
    eventBusName: 'default',
    now: () => new Date(Date.UTC(2026, 11, 7) + clock.now),
  };

  // CheckVolumeBatch: Lambda keeps an environment per concurrent invocation; the first
  // invocation of each starts it cold.
  const batchConcurrency = options.batchConcurrency ?? 3;
  let warmEnvironments = 0;
  let busyEnvironments = 0;
  const previousStack = process.env.STACK_NAME;
  process.env.STACK_NAME = STACK;
  try {
    const summary: HealthSweepSummary = await clock.run(() =>
      checkAllVolumes(
        {
          ...deps,
          checkBatch: async (batch) => {
            busyEnvironments += 1;
            const cold = busyEnvironments > warmEnvironments;
            if (cold) warmEnvironments += 1;
            try {
              await clock.sleep(
                FLEET_LATENCIES_MS.lambdaInvoke + (cold ? FLEET_LATENCIES_MS.lambdaColdStart : 0),
              );
              return await checkVolumeBatch(batchDependencies(deps), batch);
            } finally {
              busyEnvironments -= 1;
            }
          },
        },
        {
          batchConcurrency,
          // CheckVolumes' Lambda timeout, and what it keeps for a batch (check-volumes.ts).
          deadline: {
            remainingMs: () => FUNCTION_TIMEOUT_SECONDS.schedule * 1000 - clock.now,
            batchMs: INVOKE_REQUEST_TIMEOUT_MS + 60_000,
          },
        },
      ),
    );
    const awsTotal = Object.values(calls).reduce((total, count) => total + count, 0);
    return {
      ...shape,
      checkCycleSeconds: round(clock.now / 1000, 1),
      batches: summary.batches,
      batchConcurrency,
      checked: summary.checked,
      deferred: summary.deferred,
      failed: summary.failed.length,
      awsCalls: calls,
      awsCallsPerVolume: round(awsTotal / shape.volumes, 2),
      throttledAttempts,
      kubernetesReads,
      dynamoDbQueries,
      dynamoDbReadUnits: round(dynamoDbReadUnits, 1),
      dynamoDbWrites,
      driftedEvents: drifted,
    };
  } finally {
    if (previousStack === undefined) delete process.env.STACK_NAME;
    else process.env.STACK_NAME = previousStack;
  }
}
