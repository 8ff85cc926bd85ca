// Everything local mode runs, on loopback, with no AWS account: moto_server for the AWS APIs,
// the Kubernetes API emulator, a Step Functions endpoint running the real ASL files, and the
// API server. `npm start` (local/main.ts) and the end-to-end tests both start it from here.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import type { AccessPolicy } from '../functions/lib/service/access-policy.ts';
import {
  type ExecutionStatusChangeEvent,
  unsettledEndPattern,
} from '../functions/lib/workflow/execution-status-change.ts';
import { buildFunctionBundles } from '../infra/function-bundles.ts';
import { type AwsModelOptions, timeScaleFromEnvironment } from './aws-model/model.ts';
import { applyServiceRbac, clusterAccessOptions } from './cluster-access.ts';
import { routeClusterTo } from './cluster-routing.ts';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_RESTORE_ROLE_ARN,
  LOCAL_SIGNING_KEYS,
} from './credentials.ts';
import { efsPodFate, motoDirectories } from './efs-mounts.ts';
import { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.ts';
import { type HealthSchedule, startHealthSchedule } from './health-schedule.ts';
import { type KubeEmulator, startKubeEmulator } from './kube-emulator/index.ts';
import { recordingEndpointFor } from './lambda/aws-call-recorder.ts';
import { startInvokeEndpoint } from './lambda/invoke-endpoint.ts';
import {
  assertLocalSettings,
  releaseLocalFunctions,
  useLocalFunctions,
} from './lambda/local-functions.ts';
import type { FunctionsMode } from './lambda/runtime.ts';
import { type MotoServer, startMoto } from './moto.ts';
import { seedCluster } from './seed-cluster.ts';
import type { LocalRunOptions } from './step-functions/local-workflow.ts';
import {
  type LocalStepFunctions,
  startLocalStepFunctions,
  stateMachineArn,
} from './step-functions/server.ts';
import { createVolumesTable } from './volumes-table.ts';

export { LOCAL_CREDENTIALS, LOCAL_REGION } from './credentials.ts';

export interface LocalStackOptions {
  /** The API's port. @default 3000 (PORT); 0 for any free port */
  readonly apiPort?: number;
  /** Use this moto instead of starting one (the tests share one). */
  readonly motoEndpoint?: string;
  /** @default demo */
  readonly clusterName?: string;
  /** @default default, team-a, team-b (plus the kube-* ones) */
  readonly namespaces?: readonly string[];
  /**
   * How long a Job's pod takes from creation to its mount, in AWS seconds (paced by the AWS
   * model's time scale). @default 30, about what a Fargate pod takes
   */
  readonly podStartSeconds?: number;
  /** @default a table of its own */
  readonly tableName?: string;
  /** Shorten Wait states and retries (tests, benchmarks). */
  readonly run?: LocalRunOptions;
  /** @default every namespace of the demo cluster but the reserved ones, for any caller */
  readonly policy?: AccessPolicy;
  /**
   * Who may send `Volume Provision Requested` events (REQUEST_SENDERS, the stack's
   * `requestSenders`): account ids and role ARNs. @default none, as the stack: every request
   * event is rejected (`npm start` names the local account, 123456789012)
   */
  readonly requestSenders?: readonly string[];
  /**
   * `bundled`: every Lambda runs from the bundle the stack deploys; `source`: from its
   * TypeScript (`npm start -- --source`, for debugging). @default bundled
   */
  readonly functions?: FunctionsMode;
  /** Write .local/endpoints.json and .local/kubeconfig under this folder. */
  readonly stateDirectory?: string;
  /**
   * Put local/fault-proxy.ts between the handlers and moto (and the Step Functions endpoint),
   * injecting these faults. The stack's own setup and the emulator's STS calls go to moto.
   */
  readonly awsFaults?: FaultProxyOptions;
  /**
   * Put the AWS model (local/aws-model/model.ts) in that proxy: lifecycles with durations,
   * limits, eventual consistency, rate limits. Its time scale also paces the workflows' Wait
   * states (unless `run.waitMilliseconds` is given).
   */
  readonly awsModel?: AwsModelOptions;
  /**
   * Seconds between the scheduled drift checks of every READY volume (the stack's schedule
   * runs every `healthCheckMinutes`); 0 for none. @default none (`npm start` sets
   * LOCAL_HEALTH_CHECK_SECONDS, default 10)
   */
  readonly healthCheckSeconds?: number;
  /**
   * Warm pool file systems per cluster (WARM_POOL, the stack's `warmPool`), kept by the
   * scheduled check. @default none
   */
  readonly warmPool?: Readonly<Record<string, number>>;
  /** What to do with a scheduled check that failed. @default ignore it */
  readonly onHealthCheckError?: (error: unknown) => void;
}

export interface LocalStack {
  readonly api: string;
  readonly aws: string;
  readonly kube: string;
  readonly stepFunctions: string;
  readonly clusterName: string;
  readonly emulator: KubeEmulator;
  readonly stepFunctionsServer: LocalStepFunctions;
  readonly tableName: string;
  /** kubeconfig text whose user mints EKS tokens with local/kube-token.ts. */
  readonly kubeconfig: string;
  /** The proxy the handlers' AWS calls go through, when `awsFaults` or `awsModel` was given. */
  readonly faultProxy?: FaultProxy;
  /** What the functions run from. */
  readonly functions: FunctionsMode;
  /** Where the handlers meet AWS: the proxy when there is one, else moto. */
  readonly awsLayer: string;
  /** The scheduled drift check, when `healthCheckSeconds` asked for one. */
  readonly healthSchedule?: HealthSchedule;
  stop(): Promise<void>;
}

const root = new URL('../', import.meta.url);

/**
 * The stack's rule for execution ends (infra/execution-settlement.ts), locally: the events it
 * matches go to the SettleExecution function, retried as EventBridge and Lambda retry an
 * asynchronous target, so an execution that fails, times out or is stopped settles its record.
 */
function settleExecutionEnds(stateMachineArns: readonly string[]) {
  const pattern = unsettledEndPattern(stateMachineArns);
  return async (event: ExecutionStatusChangeEvent): Promise<void> => {
    const matches =
      pattern.source.includes(event.source) &&
      pattern.detailType.includes(event['detail-type']) &&
      (pattern.detail.status as readonly string[]).includes(event.detail.status) &&
      pattern.detail.stateMachineArn.includes(event.detail.stateMachineArn);
    if (!matches) return;
    const { localFunctions } = await import('./lambda/local-functions.ts');
    for (let attempt = 1; ; attempt++) {
      try {
        await localFunctions().invoke('SettleExecution', event);
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };
}

/** The workflows' run options: under the AWS model, Wait states keep pace with its time scale. */
function runOptions(options: LocalStackOptions): { run?: LocalRunOptions } {
  if (!options.awsModel) return options.run ? { run: options.run } : {};
  const timeScale = options.awsModel.timeScale ?? timeScaleFromEnvironment();
  return { run: { timeScale, ...options.run } };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(() => undefined);
  };
  try {
    const moto: MotoServer | undefined = options.motoEndpoint ? undefined : await startMoto();
    if (moto) stops.push(moto.stop);
    const awsEndpoint = options.motoEndpoint ?? moto?.endpoint ?? '';
    const clusterName = options.clusterName ?? 'demo';
    const tableName = options.tableName ?? `efs-volumes-${Date.now().toString(36)}`;

    // The handlers read these when their modules load and on every call, as in Lambda.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: awsEndpoint,
      LOCAL_MOTO_ENDPOINT: awsEndpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      VOLUMES_TABLE: tableName,
      POWERTOOLS_SERVICE_NAME: 'efs-volumes',
      STACK_NAME: process.env.STACK_NAME || 'EfsVolumes',
      RESTORE_ROLE_ARN: LOCAL_RESTORE_ROLE_ARN,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    if (options.warmPool && Object.keys(options.warmPool).length > 0) {
      process.env.WARM_POOL = JSON.stringify(options.warmPool);
    } else {
      delete process.env.WARM_POOL;
    }

    const clients = { ec2: new EC2Client({}), eks: new EKSClient({}) };
    await createVolumesTable(new DynamoDBClient({}), tableName);
    await seedCluster(clients, clusterName);
    // Set once the AWS model's proxy runs (after the emulator): the Jobs' pods ask it then.
    let faultProxy: FaultProxy | undefined;
    const emulator = await startKubeEmulator({
      // Jobs run (the mount check's): their pods mount EFS by what AWS holds at that moment.
      jobs: {
        fate: efsPodFate({
          clusterName,
          region: LOCAL_REGION,
          model: () => faultProxy?.model,
          // What a pod sees on a file system: the directories moto's model holds (a restore's).
          directories: motoDirectories(awsEndpoint, LOCAL_REGION),
        }),
        timeScale: options.awsModel
          ? (options.awsModel.timeScale ?? timeScaleFromEnvironment())
          : 0,
        ...(options.podStartSeconds === undefined
          ? {}
          : { podStartSeconds: options.podStartSeconds }),
      },
      clusterName,
      stsEndpoint: awsEndpoint,
      // Live: each function's session keys join as local mode makes them.
      credentials: LOCAL_SIGNING_KEYS,
      // Authorized as EKS authorizes: the stack's access entries, then infra/rbac.yaml.
      ...clusterAccessOptions(),
      namespaces: [
        'default',
        'kube-system',
        'kube-public',
        'kube-node-lease',
        ...(options.namespaces ?? ['team-a', 'team-b']),
      ],
    });
    stops.push(emulator.stop);
    await applyServiceRbac(emulator);
    routeClusterTo(clusterName, emulator);

    const machineNames = ['efs-volumes-provision', 'efs-volumes-deprovision', 'efs-volumes-repair'];
    const stepFunctions = await startLocalStepFunctions(
      [
        {
          name: 'efs-volumes-provision',
          definitionFile: new URL('statemachine/provision.asl.json', root),
        },
        {
          name: 'efs-volumes-deprovision',
          definitionFile: new URL('statemachine/deprovision.asl.json', root),
        },
        {
          name: 'efs-volumes-repair',
          definitionFile: new URL('statemachine/repair.asl.json', root),
        },
      ],
      {
        ...runOptions(options),
        onStatusChange: settleExecutionEnds(machineNames.map(stateMachineArn)),
      },
    );
    stops.push(stepFunctions.stop);
    const policy: AccessPolicy = options.policy ?? {
      rules: [{ caller: '*', cluster: clusterName, namespaces: ['*'] }],
    };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      PROVISION_STATE_MACHINE_ARN: stepFunctions.arns['efs-volumes-provision'],
      DEPROVISION_STATE_MACHINE_ARN: stepFunctions.arns['efs-volumes-deprovision'],
      REPAIR_STATE_MACHINE_ARN: stepFunctions.arns['efs-volumes-repair'],
      ACCESS_POLICY: JSON.stringify(policy),
      REQUEST_SENDERS: JSON.stringify(options.requestSenders ?? []),
    });
    // Every setting without a default that some function reads is set by now, as the stack sets it.
    assertLocalSettings();
    if (options.awsFaults || options.awsModel) {
      faultProxy = await startFaultProxy({
        ...options.awsFaults,
        ...(options.awsModel ? { model: options.awsModel } : {}),
        upstream: awsEndpoint,
        upstreams: { states: stepFunctions.endpoint },
      });
      stops.push(faultProxy.stop, async () => {
        process.env.AWS_ENDPOINT_URL = awsEndpoint;
        process.env.AWS_ENDPOINT_URL_SFN = stepFunctions.endpoint;
      });
      // Read by each SDK client at its first call, which is the handlers' first call.
      process.env.AWS_ENDPOINT_URL = faultProxy.endpoint;
      process.env.AWS_ENDPOINT_URL_SFN = faultProxy.endpoint;
    }

    // Lambda's Invoke, for CheckVolumes' batches: the stack's functions, behind the door.
    const invoke = await startInvokeEndpoint();
    stops.push(invoke.stop, async () => {
      delete process.env.AWS_ENDPOINT_URL_LAMBDA;
      delete process.env.CHECK_VOLUME_BATCH_FUNCTION;
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_LAMBDA: invoke.endpoint,
      CHECK_VOLUME_BATCH_FUNCTION: 'CheckVolumeBatch',
    });

    // Every AWS call of every function, as the IAM evaluation reads them (test/iam).
    if (options.stateDirectory && !process.env.LOCAL_AWS_CALL_LOG) {
      process.env.LOCAL_AWS_CALL_LOG = join(options.stateDirectory, 'aws-calls.jsonl');
    }
    // Every function runs as Lambda runs it: its bundle (or source), its own environment
    // and identity. The bundles are built (or reused) before the first request.
    const functionsMode = options.functions ?? 'bundled';
    const functions = useLocalFunctions({
      mode: functionsMode,
      ...(options.awsModel
        ? { timeScale: options.awsModel.timeScale ?? timeScaleFromEnvironment() }
        : {}),
      // A test run names the bundles it built once (LOCAL_FUNCTIONS_BUNDLES).
      ...(functionsMode === 'bundled' && !process.env.LOCAL_FUNCTIONS_BUNDLES
        ? { bundles: await buildFunctionBundles() }
        : {}),
    });
    stops.push(() => releaseLocalFunctions(functions));
    const { startLocalApi } = await import('./api-server.ts');
    const api = await startLocalApi(options.apiPort ?? Number(process.env.PORT ?? 3000));
    stops.push(api.stop);

    let healthSchedule: HealthSchedule | undefined;
    if (options.healthCheckSeconds) {
      const schedule = startHealthSchedule(options.healthCheckSeconds, options.onHealthCheckError);
      healthSchedule = schedule;
      stops.push(schedule.stop);
    }

    const kubeconfig = emulator.kubeconfig({
      user: {
        exec: {
          command: process.execPath,
          args: [fileURLToPath(new URL('local/kube-token.ts', root)), clusterName, LOCAL_REGION],
          env: {
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          },
        },
      },
    });
    if (options.stateDirectory) {
      // The `aws` CLI goes through the door the functions use, so it sees the clusters as
      // they do (DescribeCluster: the emulator's endpoint and CA).
      const awsForCli = await recordingEndpointFor(faultProxy?.endpoint ?? awsEndpoint);
      const directory = new URL(
        `${options.stateDirectory.replace(/\/?$/, '/')}`,
        `file://${process.cwd()}/`,
      );
      await mkdir(directory, { recursive: true });
      await writeFile(
        new URL('endpoints.json', directory),
        `${JSON.stringify({ api: api.endpoint, aws: awsForCli, kube: emulator.endpoint, stepFunctions: stepFunctions.endpoint, clusterName, functions: functionsMode }, null, 2)}\n`,
      );
      await writeFile(new URL('kubeconfig', directory), kubeconfig, { mode: 0o600 });
    }
    return {
      api: api.endpoint,
      aws: awsEndpoint,
      kube: emulator.endpoint,
      stepFunctions: stepFunctions.endpoint,
      clusterName,
      emulator,
      stepFunctionsServer: stepFunctions,
      tableName,
      kubeconfig,
      ...(faultProxy ? { faultProxy } : {}),
      functions: functionsMode,
      awsLayer: faultProxy?.endpoint ?? awsEndpoint,
      ...(healthSchedule ? { healthSchedule } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
