// The Job, pod and event objects the Job-running steps read (the mount check, the restore
// listing), as values: no Kubernetes client here, so the API's plan can show a Job.
import type { KubernetesObject } from '@kubernetes/client-node';

// Jobs, pods and events are read as JSON: the bundles keep the client's models of the storage
// kinds only (infra/bundling.ts KUBERNETES_MODELS), and without a model the client hands the
// object over as the API sent it. These are the fields the step reads.

/** A Job's condition (`Complete`, `Failed`, …). */
interface JobCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A batch/v1 Job: its manifest as built here, its status as the Job controller writes it. */
export interface JobObject extends KubernetesObject {
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: {
    readonly active?: number;
    readonly succeeded?: number;
    readonly failed?: number;
    readonly conditions?: readonly JobCondition[];
  };
}

/** A pod's phase and its container's state. */
export interface PodObject extends KubernetesObject {
  readonly status?: {
    readonly phase?: string;
    readonly containerStatuses?: ReadonlyArray<{
      readonly state?: {
        readonly terminated?: {
          readonly reason?: string;
          readonly exitCode?: number;
          readonly message?: string;
        };
        readonly waiting?: { readonly reason?: string; readonly message?: string };
        readonly running?: unknown;
      };
    }>;
  };
}

/** A core/v1 Event about a pod. */
export interface EventObject extends KubernetesObject {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
}

/** Labels the Job's pod with the Job's name, as the Job controller does (and a selector can ask). */
export const JOB_NAME_LABEL = 'job-name';
