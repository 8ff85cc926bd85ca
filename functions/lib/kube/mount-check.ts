import type { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  createJob,
  deleteJob,
  describeJobFailure,
  type PodReport,
  readJob,
  reportJobPods,
} from './job.ts';
import type { JobObject } from './job-objects.ts';
import { mountCheckJobName } from './mount-check-job.ts';

export { type JobOutcome, jobOutcome, type PodReport } from './job.ts';
export * from './mount-check-job.ts';

/** The volume's mount check Job, undefined when there is none. */
export function readMountCheckJob(
  api: KubernetesObjectApi,
  volumeId: string,
  namespace: string,
): Promise<JobObject | undefined> {
  return readJob(api, mountCheckJobName(volumeId), namespace);
}

/** Creates the Job; one that exists already (a retried step) is the same Job. */
export function createMountCheckJob(api: KubernetesObjectApi, job: JobObject): Promise<void> {
  return createJob(api, job);
}

/** Deletes the volume's mount check Job and its pod; gone is done. */
export function deleteMountCheckJob(
  api: KubernetesObjectApi,
  volumeId: string,
  namespace: string,
): Promise<boolean> {
  return deleteJob(api, mountCheckJobName(volumeId), namespace);
}

/** The mount check Job's pods and their events (see {@link reportJobPods}). */
export function reportMountCheckPods(
  api: KubernetesObjectApi,
  volumeId: string,
  namespace: string,
): Promise<PodReport[]> {
  return reportJobPods(api, mountCheckJobName(volumeId), namespace);
}

/** One message from the mount check Job and its pods (see {@link describeJobFailure}). */
export function describeMountCheckFailure(
  job: JobObject | undefined,
  pods: readonly PodReport[],
): string {
  return describeJobFailure('mount check failed', job, pods);
}
