// The mount check's Job as a value: built by a pure function, with no Kubernetes client, so the
// API's plan shows it (functions/lib/service/plan.ts) and only the VerifyMount step's bundle
// talks to a cluster (./mount-check.ts).
import type { MountCheckSettings } from '../config.ts';
import { MANAGED_BY, MANAGED_BY_LABEL, VOLUME_ID_LABEL } from '../volume/names.ts';
import type { JobObject } from './job-objects.ts';

export { type EventObject, JOB_NAME_LABEL, type JobObject, type PodObject } from './job-objects.ts';

/** Where the Job's container mounts the claim. */
export const MOUNT_CHECK_PATH = '/mnt/volume';
/** How long a finished Job stays when the step could not delete it (the cluster's TTL controller). */
export const MOUNT_CHECK_TTL_SECONDS = 600;
/** The unprivileged user the container runs as: the access point's POSIX user does the I/O anyway. */
export const MOUNT_CHECK_USER = 65534;

/** The mount check Job's name: one per volume, so a retried step finds its own Job. */
export function mountCheckJobName(volumeId: string): string {
  return `efs-volumes-mount-check-${volumeId}`;
}

export interface MountCheckJobInput {
  readonly volumeId: string;
  readonly namespace: string;
  readonly claimName: string;
  /** Written to the probe file and read back: this execution's name. */
  readonly probe: string;
  readonly settings: MountCheckSettings;
}

/**
 * The shell the container runs: write the probe file, read it back, compare, remove it. `set -e`
 * ends it at the first failure; what it printed is the end of its log, which
 * `FallbackToLogsOnError` makes the container's termination message.
 */
export const MOUNT_CHECK_SCRIPT = [
  'set -eu',
  `probe="${MOUNT_CHECK_PATH}/.efs-volumes-mount-check-$(hostname)"`,
  'printf %s "$PROBE" > "$probe"',
  'read=$(cat "$probe")',
  'rm -f "$probe"',
  '[ "$read" = "$PROBE" ] || { echo "read back \\"$read\\", wrote \\"$PROBE\\""; exit 1; }',
  'echo "mount verified: wrote, read back and removed $probe"',
].join('\n');

/** The Job that proves the claim mounts (a {@link buildProbeJob}): it writes to the claim. */
export function buildMountCheckJob(input: MountCheckJobInput): JobObject {
  const name = mountCheckJobName(input.volumeId);
  const labels = {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [VOLUME_ID_LABEL]: input.volumeId,
    'app.kubernetes.io/component': 'mount-check',
  };
  return buildProbeJob({
    name,
    namespace: input.namespace,
    labels,
    settings: input.settings,
    container: {
      name: 'mount-check',
      script: MOUNT_CHECK_SCRIPT,
      env: [{ name: 'PROBE', value: input.probe }],
    },
    volume: { name: 'volume', mountPath: MOUNT_CHECK_PATH, claimName: input.claimName },
  });
}

/** What differs between the service's one-pod Jobs (the mount check, the restore listing). */
export interface ProbeJobInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly settings: MountCheckSettings;
  readonly container: {
    readonly name: string;
    /** What `sh -c` runs. */
    readonly script: string;
    readonly env?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    /** Where the script writes its answer, when not the default. */
    readonly terminationMessagePath?: string;
  };
  /** The claim the pod mounts, and where. */
  readonly volume: {
    readonly name: string;
    readonly mountPath: string;
    readonly claimName: string;
    readonly readOnly?: boolean;
  };
}

/**
 * A one-pod Job of the service: never restarted (backoffLimit 0), ended by
 * activeDeadlineSeconds, removed by the TTL controller if its step cannot delete it. Hardened:
 * a non-root user, no privilege escalation, every capability dropped, a read-only root file
 * system (only the claim may be written), the runtime's seccomp profile, no service account
 * token; the container's termination message falls back to the end of its log.
 */
export function buildProbeJob(input: ProbeJobInput): JobObject {
  const { cpu, memory } = input.settings;
  const { container, volume } = input;
  const readOnly = volume.readOnly ? { readOnly: true } : {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: input.settings.timeoutSeconds,
      ttlSecondsAfterFinished: MOUNT_CHECK_TTL_SECONDS,
      template: {
        metadata: { labels: input.labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: MOUNT_CHECK_USER,
            runAsGroup: MOUNT_CHECK_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: container.name,
              image: input.settings.image,
              command: ['sh', '-c', container.script],
              ...(container.env ? { env: [...container.env] } : {}),
              resources: { requests: { cpu, memory }, limits: { cpu, memory } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                privileged: false,
                capabilities: { drop: ['ALL'] },
              },
              ...(container.terminationMessagePath
                ? { terminationMessagePath: container.terminationMessagePath }
                : {}),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [{ name: volume.name, mountPath: volume.mountPath, ...readOnly }],
            },
          ],
          volumes: [
            {
              name: volume.name,
              persistentVolumeClaim: { claimName: volume.claimName, ...readOnly },
            },
          ],
        },
      },
    },
  };
}
