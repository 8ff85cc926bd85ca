// A one-pod Job in a volume's namespace, by name: created, read, described from its pods and
// events, deleted. The mount check (./mount-check.ts) and the restore listing
// (./restore-listing.ts) run theirs through these.
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
// The client's own modules, not its index (see apply.ts).
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { FIELD_MANAGER } from '../volume/names.ts';
import { kubernetesError } from './apply.ts';
import { type EventObject, JOB_NAME_LABEL, type JobObject, type PodObject } from './job-objects.ts';

/** Where a Job stands: finished either way, or still running (or not yet created). */
export type JobOutcome = 'succeeded' | 'failed' | 'running';

/** A Job's outcome from its status, as the Job controller writes it. */
export function jobOutcome(job: JobObject): JobOutcome {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) =>
    conditions.some((condition) => condition.type === type && condition.status === 'True');
  if (holds('Complete') || (job.status?.succeeded ?? 0) > 0) return 'succeeded';
  if (holds('Failed') || (job.status?.failed ?? 0) > 0) return 'failed';
  return 'running';
}

function jobRef(name: string, namespace: string): KubernetesObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace } };
}

/** The Job of that name, undefined when there is none. */
export async function readJob(
  api: KubernetesObjectApi,
  name: string,
  namespace: string,
): Promise<JobObject | undefined> {
  try {
    return (await api.read(
      jobRef(name, namespace) as JobObject & { metadata: { name: string } },
    )) as JobObject;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw kubernetesError(error, `read Job ${name}`);
  }
}

/** Creates the Job; one that exists already (a retried step) is the same Job. */
export async function createJob(api: KubernetesObjectApi, job: JobObject): Promise<void> {
  try {
    await api.create(job, undefined, undefined, FIELD_MANAGER);
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) return;
    throw kubernetesError(error, `create Job ${job.metadata?.name}`);
  }
}

/**
 * Deletes the Job and, with it, its pod (propagation `Background`: the garbage collector
 * deletes the pods the Job owns). Gone is done.
 */
export async function deleteJob(
  api: KubernetesObjectApi,
  name: string,
  namespace: string,
): Promise<boolean> {
  try {
    await api.delete(
      jobRef(name, namespace),
      undefined,
      undefined,
      undefined,
      undefined,
      'Background',
    );
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw kubernetesError(error, `delete Job ${name}`);
  }
}

/** What the Job's pod reported: its phase, its container's state, its events. */
export interface PodReport {
  readonly name: string;
  readonly phase: string;
  /** The container's termination message, once it terminated (FallbackToLogsOnError: its log's end on failure). */
  readonly terminationMessage?: string;
  /** `waiting: ContainerCreating`, `terminated: Error (exit 1): <message>`. */
  readonly container?: string;
  /** `Warning FailedMount: MountVolume.SetUp failed …`, oldest first. */
  readonly events: readonly string[];
}

function containerState(pod: PodObject): string | undefined {
  const state = pod.status?.containerStatuses?.[0]?.state;
  if (state?.terminated) {
    const { reason, exitCode, message } = state.terminated;
    return `terminated: ${reason ?? 'Unknown'} (exit ${exitCode})${message ? `: ${message.trim()}` : ''}`;
  }
  if (state?.waiting) {
    const { reason, message } = state.waiting;
    return `waiting: ${reason ?? 'Unknown'}${message ? `: ${message}` : ''}`;
  }
  return state?.running ? 'running' : undefined;
}

/**
 * Reads the Job's pods and their events: what a person would see with `kubectl describe`. The
 * events are found by the pods' names, not by listing the pods: a Job past its deadline has
 * had its pods deleted, and their events (kept an hour) are all that says why.
 */
export async function reportJobPods(
  api: KubernetesObjectApi,
  jobName: string,
  namespace: string,
): Promise<PodReport[]> {
  try {
    const pods = (
      await api.list<PodObject>(
        'v1',
        'Pod',
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        `${JOB_NAME_LABEL}=${jobName}`,
      )
    ).items;
    const events = (
      await api.list<EventObject>(
        'v1',
        'Event',
        namespace,
        undefined,
        undefined,
        undefined,
        'involvedObject.kind=Pod',
      )
    ).items.filter((event) => event.involvedObject?.name?.startsWith(`${jobName}-`));
    const names = [
      ...new Set([
        ...pods.map((pod) => pod.metadata?.name ?? ''),
        ...events.map((event) => event.involvedObject?.name ?? ''),
      ]),
    ];
    return names.map((name) => {
      const pod = pods.find((one) => one.metadata?.name === name);
      const container = pod ? containerState(pod) : undefined;
      const terminationMessage = pod?.status?.containerStatuses?.[0]?.state?.terminated?.message;
      return {
        name,
        phase: pod ? (pod.status?.phase ?? 'Unknown') : 'deleted',
        ...(container ? { container } : {}),
        ...(terminationMessage !== undefined ? { terminationMessage } : {}),
        events: events
          .filter((event) => event.involvedObject?.name === name)
          .map(
            (event) => `${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`,
          ),
      };
    });
  } catch (error) {
    throw kubernetesError(error, `read the pods of Job ${jobName}`);
  }
}

/** The most a failure message carries: the record keeps 1000 characters of it. */
const REPORT_LIMIT = 900;

/**
 * One message from the Job and its pods: what failed (`mount check failed`), why the Job
 * ended, then each pod's state and its warnings (a FailedMount's text is efs-utils' or
 * mount.nfs4's own), cut to what the record keeps.
 */
export function describeJobFailure(
  what: string,
  job: JobObject | undefined,
  pods: readonly PodReport[],
): string {
  const failed = job?.status?.conditions?.find(
    (condition) => condition.type === 'Failed' && condition.status === 'True',
  );
  const why = failed
    ? `Job ${failed.reason ?? 'Failed'}${failed.message ? ` (${failed.message})` : ''}`
    : 'Job did not finish in time';
  const podLines =
    pods.length === 0
      ? ['no pod was created (is the namespace selected by a Fargate profile?)']
      : pods.map((pod) => {
          const warnings = pod.events.filter((event) => event.startsWith('Warning'));
          const shown = [...new Set(warnings.length > 0 ? warnings : pod.events)].slice(-3);
          return `pod ${pod.name} ${pod.phase}${pod.container ? `, ${pod.container}` : ''}${shown.length > 0 ? `; ${shown.join('; ')}` : ''}`;
        });
  const message = `${what}: ${why}; ${podLines.join(' | ')}`;
  return message.length > REPORT_LIMIT ? `${message.slice(0, REPORT_LIMIT - 1)}…` : message;
}
