// The restore listing as values: the PersistentVolume and claim that reach a restored file
// system's root through a temporary access point, the Job whose pod lists that root, and the
// reading of what the pod found. AWS Backup restores an EFS recovery point into a directory
// `aws-backup-restore_<time>` off the new file system's root, and no AWS API returns its name,
// so a pod has to look. Pure, with no Kubernetes client: the API's plan shows the Job
// (functions/lib/service/plan.ts) and only the FindRestoreDirectory step talks to a cluster
// (./restore-listing.ts).
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { MountCheckSettings } from '../config.ts';
import { RestoreDirectoryNotFoundError } from '../errors.ts';
import { EFS_CSI_DRIVER, MANAGED_BY, MANAGED_BY_LABEL, VOLUME_ID_LABEL } from '../volume/names.ts';
import type { JobObject } from './job-objects.ts';
import { buildProbeJob } from './mount-check-job.ts';

/** The `app.kubernetes.io/component` of the listing's objects: local mode's Job runner reads it. */
export const RESTORE_LISTING_COMPONENT = 'restore-listing';
/** Where the Job's container mounts the restored file system's root (read-only). */
export const RESTORE_LISTING_PATH = '/mnt/restored';
/** Where the container writes what it found: the kubelet's default termination message file. */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/**
 * What the claim asks for and the PersistentVolume offers: EFS has no size, Kubernetes needs
 * one, and the two must agree for the claim to bind.
 */
const LISTING_CAPACITY = '1Gi';

/**
 * The name of the listing's PersistentVolume, claim and Job: one of each per volume, so a
 * retried step finds its own and rollback knows what to delete.
 */
export function restoreListingName(volumeId: string): string {
  return `efs-volumes-restore-listing-${volumeId}`;
}

function listingLabels(volumeId: string): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [VOLUME_ID_LABEL]: volumeId,
    'app.kubernetes.io/component': RESTORE_LISTING_COMPONENT,
  };
}

export interface RestoreListingInput {
  readonly volumeId: string;
  /** The volume's namespace: the claim and the Job live there, as the volume's own will. */
  readonly namespace: string;
}

export interface RestoreListingVolumeInput extends RestoreListingInput {
  readonly fileSystemId: string;
  /** The temporary access point whose root directory is the file system's root. */
  readonly accessPointId: string;
}

/**
 * The PersistentVolume of the file system's root: static provisioning through the temporary
 * access point (`fs-…::fsap-…`), encrypted in transit as the volume's own, read-only many,
 * pre-bound to the listing's claim. `Retain` and no StorageClass: an EFS CSI controller (where
 * one runs) must never delete the access point or its directory for it.
 */
export function buildRestoreListingVolume(input: RestoreListingVolumeInput): V1PersistentVolume {
  const name = restoreListingName(input.volumeId);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: listingLabels(input.volumeId) },
    spec: {
      capacity: { storage: LISTING_CAPACITY },
      volumeMode: 'Filesystem',
      accessModes: ['ReadOnlyMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: input.namespace,
        name,
      },
      csi: {
        driver: EFS_CSI_DRIVER,
        volumeHandle: `${input.fileSystemId}::${input.accessPointId}`,
        volumeAttributes: { encryptInTransit: 'true' },
      },
    },
  };
}

/** The claim the listing Job mounts, bound by name to {@link buildRestoreListingVolume}'s volume. */
export function buildRestoreListingClaim(input: RestoreListingInput): V1PersistentVolumeClaim {
  const name = restoreListingName(input.volumeId);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: input.namespace, labels: listingLabels(input.volumeId) },
    spec: {
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      volumeName: name,
      resources: { requests: { storage: LISTING_CAPACITY } },
    },
  };
}

/**
 * The shell the container runs: the name of every directory `aws-backup-restore_*` at the
 * mounted root, one a line, into the termination message (an unmatched glob stays a literal
 * word, which `-d` drops). Nothing is written to the file system.
 */
export const RESTORE_LISTING_SCRIPT = [
  'set -eu',
  `for entry in ${RESTORE_LISTING_PATH}/aws-backup-restore_*; do`,
  '  if [ -d "$entry" ]; then basename "$entry"; fi',
  `done > ${TERMINATION_MESSAGE_PATH}`,
].join('\n');

export interface RestoreListingJobInput extends RestoreListingInput {
  /** The mount check's image, resources and deadline serve the listing too. */
  readonly settings: MountCheckSettings;
}

/**
 * The Job that lists the restored root (a {@link buildProbeJob}, hardened as the mount
 * check's): its non-root user may list it (the root of a new EFS file system is root's, 0755),
 * and the claim is mounted read-only.
 */
export function buildRestoreListingJob(input: RestoreListingJobInput): JobObject {
  const name = restoreListingName(input.volumeId);
  const labels = listingLabels(input.volumeId);
  return buildProbeJob({
    name,
    namespace: input.namespace,
    labels,
    settings: input.settings,
    container: {
      name: RESTORE_LISTING_COMPONENT,
      script: RESTORE_LISTING_SCRIPT,
      terminationMessagePath: TERMINATION_MESSAGE_PATH,
    },
    volume: { name: 'restored', mountPath: RESTORE_LISTING_PATH, claimName: name, readOnly: true },
  });
}

/**
 * A directory AWS Backup restores into: `aws-backup-restore_` and the UTC time with ':' and
 * '.' written '-', to the millisecond until 2022 (`aws-backup-restore_2022-01-17T08-53-32-695Z`),
 * to the nanosecond since 2025 (`aws-backup-restore_2025-03-28T14-13-02-250589632Z`). AWS
 * documents the name as `aws-backup-restore_datetime` (AWS Backup Developer Guide, "Restore an
 * Amazon EFS file system").
 */
export const RESTORE_DIRECTORY_NAME =
  /^aws-backup-restore_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(?:-\d{1,9})?Z$/;

/** The most of the pod's message an error quotes. */
const QUOTED_LIMIT = 300;

function quoted(lines: readonly string[]): string {
  const text = lines.join(', ');
  return text.length > QUOTED_LIMIT ? `${text.slice(0, QUOTED_LIMIT - 1)}…` : text;
}

/**
 * The restore directory, `/aws-backup-restore_<time>`, from the listing pod's termination
 * message (one name a line).
 *
 * @throws RestoreDirectoryNotFoundError when the message names no such directory, several, or
 *   holds anything else (the pod did not run the listing)
 */
export function restoreDirectoryOfListing(message: string | undefined): string {
  const lines = (message ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const foreign = lines.filter((line) => !RESTORE_DIRECTORY_NAME.test(line));
  if (foreign.length > 0) {
    throw new RestoreDirectoryNotFoundError(
      `restore listing printed what is not a restore directory's name: ${quoted(foreign)}`,
    );
  }
  const [only, ...more] = lines;
  if (!only) {
    throw new RestoreDirectoryNotFoundError(
      "restore listing found no aws-backup-restore_* directory at the restored file system's root",
    );
  }
  if (more.length > 0) {
    throw new RestoreDirectoryNotFoundError(
      `restore listing found ${lines.length} aws-backup-restore_* directories at the restored file system's root, expected one: ${quoted(lines)}`,
    );
  }
  return `/${only}`;
}
