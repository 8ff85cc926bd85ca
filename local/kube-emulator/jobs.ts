/**
 * The Job controller and the kubelet, as far as a one-pod Job goes: a Job gets a pod; the pod
 * is scheduled, its claims mounted and its container run by what a hook says the cloud
 * decides (local mode asks the AWS model: local/efs-mounts.ts); the Job completes, fails at
 * once (backoffLimit 0), or fails at its activeDeadlineSeconds with its pod deleted; events
 * say what happened, as `kubectl describe` shows them. Deleting a Job deletes its pods (the
 * garbage collector, propagation Background) and, here, their events (which a cluster keeps an
 * hour): so nothing a mount check made outlives its Job.
 *
 * The container is not run: it succeeds when its volumes mount writable and fails writing
 * when the file system admits reads only, as a command that writes to each mount would (a
 * mount the container asks read-only it never writes to). The mount check's own script does
 * exactly that. A restore listing's pod (`app.kubernetes.io/component: restore-listing`)
 * writes the `aws-backup-restore_*` names at its mount's top to its termination message, from
 * what the cloud says the mount shows (local mode: the directories moto's model holds).
 */
import { randomBytes } from 'node:crypto';
import { RESTORE_LISTING_COMPONENT } from '../../functions/lib/kube/restore-listing-job.ts';
import type { ClusterAccess, Controller } from './controller.ts';
import type { ObjectApi } from './object-api.ts';
import {
  isJsonMap,
  isTerminating,
  type JsonMap,
  type KubeObject,
  kubeTimestamp,
  mapAt,
  stringAt,
  valueAt,
} from './objects.ts';
import {
  EVENTS,
  JOBS,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  SECURITY_GROUP_POLICIES,
} from './resources.ts';

/** A pod's volume on a CSI PersistentVolume, as the kubelet hands it to the driver. */
export interface PodVolume {
  readonly persistentVolume: string;
  readonly driver: string;
  readonly volumeHandle: string;
  readonly mountPath: string;
}

/** What the cloud is asked about a pod: where it may run, and the volumes it mounts. */
export interface PodPlacement {
  readonly namespace: string;
  readonly podName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly volumes: readonly PodVolume[];
  /** Security groups a SecurityGroupPolicy of the namespace gives the pod (empty: none does). */
  readonly securityGroupIds: readonly string[];
}

/** How a pod fares: not scheduled, scheduled and its mount failing, or mounted. */
export type PodFate =
  | { readonly scheduled: false; readonly message: string }
  | {
      readonly scheduled: true;
      readonly node: string;
      readonly mount:
        | { readonly ok: false; readonly volume: PodVolume; readonly output: string }
        | {
            readonly ok: true;
            readonly readOnly: readonly PodVolume[];
            /** What each mount shows at its top (by mount path): the names a listing sees. */
            readonly entries?: Readonly<Record<string, readonly string[]>>;
          };
    };

/** Decides a pod's fate (local/efs-mounts.ts for EFS volumes under the AWS model). */
export type PodFateOracle = (pod: PodPlacement) => Promise<PodFate>;

export interface JobRunnerOptions {
  readonly fate: PodFateOracle;
  /**
   * Real seconds per cluster second, for the pod's start and the Job's deadline; never faster
   * than 0.01. @default 1
   */
  readonly timeScale?: number;
  /** How long a Fargate pod takes from creation to its mount, in cluster seconds. @default 30 */
  readonly podStartSeconds?: number;
}

/** The label the Job controller puts on its pods, and selectors ask for. */
const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];

function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(randomBytes(5), (byte) => alphabet[byte % alphabet.length]).join('');
}

function isFinished(job: KubeObject): boolean {
  const conditions = valueAt(job, ['status', 'conditions']);
  return (
    Array.isArray(conditions) &&
    conditions.some(
      (condition) =>
        isJsonMap(condition) &&
        condition.status === 'True' &&
        (condition.type === 'Complete' || condition.type === 'Failed'),
    )
  );
}

function ownerUid(object: KubeObject): string | undefined {
  const owners = valueAt(object, ['metadata', 'ownerReferences']);
  if (!Array.isArray(owners)) return undefined;
  const owner = owners.find((ref) => isJsonMap(ref) && ref.kind === 'Job');
  return isJsonMap(owner) && typeof owner.uid === 'string' ? owner.uid : undefined;
}

/** The label that says which part of an application a pod is. */
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * What the restore listing's container writes to its termination message: the name of each
 * `aws-backup-restore_*` directory at its mount's top, one a line, as its script's `basename`
 * prints them (functions/lib/kube/restore-listing-job.ts).
 */
function restoreListingMessage(
  entries: Readonly<Record<string, readonly string[]>> | undefined,
  container: JsonMap,
): string {
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
  const first = mounts.find(isJsonMap);
  const listed = entries?.[String(first?.mountPath ?? '')] ?? [];
  return listed
    .filter((name) => name.startsWith('aws-backup-restore_'))
    .map((name) => `${name}\n`)
    .join('');
}

/** Runs the Jobs of one emulator. */
export class JobRunner {
  readonly #api: ObjectApi;
  readonly #now: () => Date;
  readonly #options: JobRunnerOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** The Job uid each event is about (events carry no owner). */
  readonly #eventJobs = new Map<string, string>();
  #stopped = false;

  constructor(api: ObjectApi, now: () => Date, options: JobRunnerOptions) {
    this.#api = api;
    this.#now = now;
    this.#options = options;
    api.addController(this.#reconcile);
  }

  /** Ends every pending pod start and deadline. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #later(clusterSeconds: number, action: () => void): void {
    // Never faster than 100 times real time: a pod's look-ups (the oracle asks AWS) must end
    // before its deadline even at scale 0.
    const ms = Math.max(
      clusterSeconds * (this.#options.timeScale ?? 1) * 1000,
      clusterSeconds * 10,
    );
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) action();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Starts new Jobs; deletes the pods and events of Jobs that are gone. */
  readonly #reconcile: Controller = (cluster) => {
    const jobs = cluster.list(JOBS);
    for (const job of jobs) {
      if (!isTerminating(job) && stringAt(job, ['status', 'startTime']) === undefined) {
        this.#start(cluster, job);
      }
    }
    const live = new Set(jobs.map((job) => job.metadata.uid));
    for (const pod of cluster.list(PODS)) {
      const owner = ownerUid(pod);
      if (owner && !live.has(owner)) {
        cluster.delete(PODS, pod.metadata.namespace, pod.metadata.name);
      }
    }
    for (const event of cluster.list(EVENTS)) {
      const owner = this.#eventJobs.get(event.metadata.uid ?? '');
      if (owner && !live.has(owner)) {
        cluster.delete(EVENTS, event.metadata.namespace, event.metadata.name);
        this.#eventJobs.delete(event.metadata.uid ?? '');
      }
    }
  };

  #start(cluster: ClusterAccess, job: KubeObject): void {
    const namespace = job.metadata.namespace ?? 'default';
    const jobName = job.metadata.name;
    const jobUid = job.metadata.uid ?? '';
    const template = mapAt(job, ['spec', 'template']) ?? {};
    const templateLabels = mapAt(template, ['metadata', 'labels']) ?? {};
    const podName = `${jobName}-${suffix()}`;
    const labels: Record<string, string> = {
      ...(templateLabels as Record<string, string>),
      'batch.kubernetes.io/controller-uid': jobUid,
      'controller-uid': jobUid,
      ...Object.fromEntries(JOB_NAME_LABELS.map((label) => [label, jobName])),
    };
    cluster.update(JOBS, {
      ...job,
      status: { startTime: kubeTimestamp(this.#now()), active: 1, ready: 0 },
    });
    cluster.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        labels,
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: jobName,
            uid: jobUid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...(mapAt(template, ['spec']) ?? {}) },
      status: { phase: 'Pending', qosClass: 'Guaranteed' },
    });
    this.#event(cluster, jobUid, job, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`);
    const deadline = valueAt(job, ['spec', 'activeDeadlineSeconds']);
    if (typeof deadline === 'number') {
      this.#later(deadline, () => this.#api.asController((later) => this.#deadline(later, job)));
    }
    this.#later(this.#options.podStartSeconds ?? 30, () => {
      void this.#run(namespace, podName, jobUid);
    });
  }

  #event(
    cluster: ClusterAccess,
    jobUid: string,
    about: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source = about.kind === 'Job' ? 'job-controller' : 'kubelet',
  ): void {
    const time = kubeTimestamp(this.#now());
    const name = `${about.metadata.name}.${randomBytes(8).toString('hex')}`;
    cluster.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: about.metadata.namespace ?? 'default' },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        name: about.metadata.name,
        namespace: about.metadata.namespace,
        uid: about.metadata.uid,
      },
      type,
      reason,
      message,
      source: { component: source },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
    const stored = cluster.get(EVENTS, about.metadata.namespace ?? 'default', name);
    if (stored?.metadata.uid) this.#eventJobs.set(stored.metadata.uid, jobUid);
  }

  /** What the pod mounts: each claim's bound CSI PersistentVolume. */
  #placement(cluster: ClusterAccess, pod: KubeObject): PodPlacement {
    const namespace = pod.metadata.namespace ?? 'default';
    const containers = valueAt(pod, ['spec', 'containers']);
    const mounts = Array.isArray(containers) ? valueAt(containers[0], ['volumeMounts']) : undefined;
    const mountPathOf = (name: string) => {
      const found = Array.isArray(mounts)
        ? mounts.find((mount) => isJsonMap(mount) && mount.name === name)
        : undefined;
      return isJsonMap(found) && typeof found.mountPath === 'string' ? found.mountPath : '';
    };
    const volumes: PodVolume[] = [];
    const declared = valueAt(pod, ['spec', 'volumes']);
    for (const volume of Array.isArray(declared) ? declared : []) {
      const claimName = stringAt(volume, ['persistentVolumeClaim', 'claimName']);
      if (!claimName || !isJsonMap(volume)) continue;
      const claim = cluster.get(PERSISTENT_VOLUME_CLAIMS, namespace, claimName);
      const pvName = claim ? stringAt(claim, ['spec', 'volumeName']) : undefined;
      const pv = pvName ? cluster.get(PERSISTENT_VOLUMES, undefined, pvName) : undefined;
      volumes.push({
        persistentVolume: pvName ?? '',
        driver: (pv && stringAt(pv, ['spec', 'csi', 'driver'])) ?? '',
        volumeHandle: (pv && stringAt(pv, ['spec', 'csi', 'volumeHandle'])) ?? '',
        mountPath: mountPathOf(String(volume.name)),
      });
    }
    const labels = (pod.metadata.labels ?? {}) as Record<string, string>;
    const securityGroupIds = cluster.list(SECURITY_GROUP_POLICIES, namespace).flatMap((policy) => {
      const wanted = mapAt(policy, ['spec', 'podSelector', 'matchLabels']) ?? {};
      const selects = Object.entries(wanted).every(([key, value]) => labels[key] === value);
      const ids = valueAt(policy, ['spec', 'securityGroups', 'groupIds']);
      return selects && Array.isArray(ids) ? ids.map(String) : [];
    });
    return { namespace, podName: pod.metadata.name, labels, volumes, securityGroupIds };
  }

  async #run(namespace: string, podName: string, jobUid: string): Promise<void> {
    let placement: PodPlacement | undefined;
    this.#api.asController((cluster) => {
      const pod = cluster.get(PODS, namespace, podName);
      if (pod) placement = this.#placement(cluster, pod);
    });
    if (!placement) return;
    let fate: PodFate;
    try {
      fate = await this.#options.fate(placement);
    } catch (error) {
      fate = { scheduled: false, message: `emulator: ${(error as Error).message}` };
    }
    if (this.#stopped) return;
    this.#api.asController((cluster) => {
      const pod = cluster.get(PODS, namespace, podName);
      const job = cluster.list(JOBS, namespace).find((one) => one.metadata.uid === jobUid);
      if (!pod || !job || isFinished(job)) return;
      this.#settle(cluster, job, pod, fate);
    });
  }

  #settle(cluster: ClusterAccess, job: KubeObject, pod: KubeObject, fate: PodFate): void {
    const jobUid = job.metadata.uid ?? '';
    const now = kubeTimestamp(this.#now());
    if (!fate.scheduled) {
      this.#event(
        cluster,
        jobUid,
        pod,
        'Warning',
        'FailedScheduling',
        fate.message,
        'fargate-scheduler',
      );
      return;
    }
    const container = (valueAt(pod, ['spec', 'containers']) as JsonMap[] | undefined)?.[0] ?? {};
    const containerName = String(container.name ?? 'container');
    const image = String(container.image ?? '');
    this.#event(
      cluster,
      jobUid,
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${fate.node}`,
      'fargate-scheduler',
    );
    const scheduled = { ...pod, spec: { ...(pod.spec as JsonMap), nodeName: fate.node } };
    if (!fate.mount.ok) {
      const { volume, output } = fate.mount;
      const [fileSystem, , accessPoint] = volume.volumeHandle.split(':');
      const target = `/var/lib/kubelet/pods/${pod.metadata.uid}/volumes/kubernetes.io~csi/${volume.persistentVolume}/mount`;
      this.#event(
        cluster,
        jobUid,
        pod,
        'Warning',
        'FailedMount',
        `MountVolume.SetUp failed for volume "${volume.persistentVolume}" : rpc error: code = Internal desc = Could not mount "${fileSystem}:/" at "${target}": mount failed: exit status 32 Mounting command: mount Mounting arguments: -t efs -o accesspoint=${accessPoint},tls ${fileSystem}:/ ${target} Output: ${output}`,
      );
      cluster.update(PODS, {
        ...scheduled,
        status: {
          phase: 'Pending',
          qosClass: 'Guaranteed',
          containerStatuses: [
            {
              name: containerName,
              image,
              ready: false,
              restartCount: 0,
              started: false,
              state: { waiting: { reason: 'ContainerCreating' } },
            },
          ],
        },
      });
      return;
    }
    for (const [reason, message] of [
      ['Pulling', `Pulling image "${image}"`],
      ['Pulled', `Successfully pulled image "${image}"`],
      ['Created', `Created container ${containerName}`],
      ['Started', `Started container ${containerName}`],
    ] as const) {
      this.#event(cluster, jobUid, pod, 'Normal', reason, message);
    }
    // A container writes to every mount but those it mounts read-only.
    const mountedReadOnly = new Set(
      (Array.isArray(container.volumeMounts) ? container.volumeMounts : []).flatMap((mount) =>
        isJsonMap(mount) && mount.readOnly === true ? [String(mount.mountPath)] : [],
      ),
    );
    const readOnly = fate.mount.readOnly.find((volume) => !mountedReadOnly.has(volume.mountPath));
    const exitCode = readOnly ? 1 : 0;
    const log = readOnly
      ? `sh: can't create ${readOnly.mountPath}/.efs-volumes-mount-check-${pod.metadata.name}: Read-only file system\n`
      : '';
    const listing =
      !readOnly && pod.metadata.labels?.[COMPONENT_LABEL] === RESTORE_LISTING_COMPONENT
        ? restoreListingMessage(fate.mount.entries, container)
        : undefined;
    cluster.update(PODS, {
      ...scheduled,
      status: {
        phase: readOnly ? 'Failed' : 'Succeeded',
        qosClass: 'Guaranteed',
        startTime: now,
        containerStatuses: [
          {
            name: containerName,
            image,
            ready: false,
            restartCount: 0,
            started: false,
            state: {
              terminated: {
                exitCode,
                reason: readOnly ? 'Error' : 'Completed',
                startedAt: now,
                finishedAt: now,
                // FallbackToLogsOnError: the end of the log when the container failed.
                ...(readOnly && container.terminationMessagePolicy === 'FallbackToLogsOnError'
                  ? { message: log }
                  : {}),
                // What the listing wrote to its termination message file.
                ...(listing !== undefined ? { message: listing } : {}),
              },
            },
          },
        ],
      },
    });
    const status = mapAt(job, ['status']) ?? {};
    cluster.update(JOBS, {
      ...job,
      status: readOnly
        ? {
            ...status,
            active: 0,
            ready: 0,
            failed: 1,
            conditions: [
              this.#condition(
                'FailureTarget',
                'BackoffLimitExceeded',
                'Job has reached the specified backoff limit',
              ),
              this.#condition(
                'Failed',
                'BackoffLimitExceeded',
                'Job has reached the specified backoff limit',
              ),
            ],
          }
        : {
            ...status,
            active: 0,
            ready: 0,
            succeeded: 1,
            completionTime: now,
            conditions: [
              this.#condition(
                'SuccessCriteriaMet',
                'CompletionsReached',
                'Reached expected number of succeeded pods',
              ),
              this.#condition(
                'Complete',
                'CompletionsReached',
                'Reached expected number of succeeded pods',
              ),
            ],
          },
    });
    this.#event(
      cluster,
      jobUid,
      job,
      readOnly ? 'Warning' : 'Normal',
      readOnly ? 'BackoffLimitExceeded' : 'Completed',
      readOnly ? 'Job has reached the specified backoff limit' : 'Job completed',
    );
  }

  #condition(type: string, reason: string, message: string): JsonMap {
    const time = kubeTimestamp(this.#now());
    return { type, status: 'True', reason, message, lastProbeTime: time, lastTransitionTime: time };
  }

  /** activeDeadlineSeconds passed: the Job fails and its active pods are deleted. */
  #deadline(cluster: ClusterAccess, started: KubeObject): void {
    const job = cluster
      .list(JOBS, started.metadata.namespace)
      .find((one) => one.metadata.uid === started.metadata.uid);
    if (!job || isFinished(job)) return;
    const message = 'Job was active longer than specified deadline';
    cluster.update(JOBS, {
      ...job,
      status: {
        ...(mapAt(job, ['status']) ?? {}),
        active: 0,
        ready: 0,
        failed: 1,
        conditions: [
          this.#condition('FailureTarget', 'DeadlineExceeded', message),
          this.#condition('Failed', 'DeadlineExceeded', message),
        ],
      },
    });
    this.#event(cluster, job.metadata.uid ?? '', job, 'Warning', 'DeadlineExceeded', message);
    for (const pod of cluster.list(PODS, job.metadata.namespace)) {
      if (ownerUid(pod) === job.metadata.uid) {
        cluster.delete(PODS, pod.metadata.namespace, pod.metadata.name);
      }
    }
  }
}
