import { describe, expect, it } from 'vitest';
import {
  buildRestoreListingClaim,
  buildRestoreListingJob,
  buildRestoreListingVolume,
  RESTORE_LISTING_SCRIPT,
  restoreDirectoryOfListing,
  restoreListingName,
} from '../../functions/lib/kube/restore-listing-job.ts';
import { VOLUME_ID_LABEL } from '../../functions/lib/volume/names.ts';

const VOLUME_ID = 'vol-0123456789abcdef0123';
const NAME = restoreListingName(VOLUME_ID);
const SETTINGS = {
  image: 'public.ecr.aws/docker/library/busybox:1.37.0',
  timeoutSeconds: 180,
  pollSeconds: 10,
  cpu: '250m',
  memory: '64Mi',
};
const NOW_FORM = 'aws-backup-restore_2025-03-28T14-13-02-250589632Z';
const OLD_FORM = 'aws-backup-restore_2022-01-17T08-53-32-695Z';

describe('the restore listing objects', () => {
  it('names the PersistentVolume, claim and Job after the volume, within the 63 characters of a label value', () => {
    expect(NAME).toBe(`efs-volumes-restore-listing-${VOLUME_ID}`);
    expect(NAME.length).toBeLessThanOrEqual(63);
  });

  it('reaches the file system root through the temporary access point, read-only, bound only to its claim, never deleted by a CSI controller', () => {
    // Act
    const volume = buildRestoreListingVolume({
      volumeId: VOLUME_ID,
      namespace: 'team-a',
      fileSystemId: 'fs-0abc1234',
      accessPointId: 'fsap-0listing',
    });
    const claim = buildRestoreListingClaim({ volumeId: VOLUME_ID, namespace: 'team-a' });

    // Assess
    expect(volume.metadata).toMatchObject({
      name: NAME,
      labels: { [VOLUME_ID_LABEL]: VOLUME_ID, 'app.kubernetes.io/component': 'restore-listing' },
    });
    expect(volume.spec).toMatchObject({
      accessModes: ['ReadOnlyMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      claimRef: { namespace: 'team-a', name: NAME },
      csi: {
        driver: 'efs.csi.aws.com',
        volumeHandle: 'fs-0abc1234::fsap-0listing',
        volumeAttributes: { encryptInTransit: 'true' },
      },
    });
    expect(claim.metadata).toMatchObject({ name: NAME, namespace: 'team-a' });
    expect(claim.metadata?.labels?.[VOLUME_ID_LABEL]).toBe(VOLUME_ID);
    expect(claim.spec).toMatchObject({
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      volumeName: NAME,
    });
    expect(claim.spec?.resources?.requests?.storage).toBe(volume.spec?.capacity?.storage);
  });

  it('builds a hardened one-pod Job that mounts the claim read-only and ends by itself', () => {
    // Act
    const job = buildRestoreListingJob({
      volumeId: VOLUME_ID,
      namespace: 'team-a',
      settings: SETTINGS,
    });

    // Assess
    expect(job.metadata).toMatchObject({ name: NAME, namespace: 'team-a' });
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 180,
      ttlSecondsAfterFinished: expect.any(Number),
    });
    const pod = (job.spec as { template: { metadata: unknown; spec: { containers: unknown[] } } })
      .template;
    expect(pod.metadata).toMatchObject({
      labels: { 'app.kubernetes.io/component': 'restore-listing', [VOLUME_ID_LABEL]: VOLUME_ID },
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumes: [{ name: 'restored', persistentVolumeClaim: { claimName: NAME, readOnly: true } }],
    });
    expect(pod.spec.containers[0]).toMatchObject({
      image: SETTINGS.image,
      command: ['sh', '-c', RESTORE_LISTING_SCRIPT],
      resources: {
        requests: { cpu: '250m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '64Mi' },
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      volumeMounts: [{ name: 'restored', mountPath: '/mnt/restored', readOnly: true }],
    });
  });

  it("lists only the root's aws-backup-restore_* directories into the termination message, writing nothing else", () => {
    expect(RESTORE_LISTING_SCRIPT).toMatch(/for entry in \/mnt\/restored\/aws-backup-restore_\*/);
    expect(RESTORE_LISTING_SCRIPT).toMatch(/\[ -d "\$entry" \]/);
    expect(RESTORE_LISTING_SCRIPT).toMatch(/done > \/dev\/termination-log$/);
  });
});

describe('restoreDirectoryOfListing', () => {
  it.each([
    [`${NOW_FORM}\n`, `/${NOW_FORM}`],
    [`  ${OLD_FORM}  \n\n`, `/${OLD_FORM}`],
  ])('takes the one restore directory the pod found (%j)', (message, expected) => {
    expect(restoreDirectoryOfListing(message)).toBe(expected);
  });

  it.each([
    ['nothing', ''],
    ['no message at all', undefined],
  ])('fails when the pod found none (%s)', (_case, message) => {
    expect(() => restoreDirectoryOfListing(message)).toThrow(
      expect.objectContaining({
        name: 'RestoreDirectoryNotFoundError',
        message: expect.stringMatching(/found no aws-backup-restore_\* directory/),
      }),
    );
  });

  it('fails when the pod found several, naming them', () => {
    expect(() => restoreDirectoryOfListing(`${NOW_FORM}\n${OLD_FORM}\n`)).toThrow(
      expect.objectContaining({
        name: 'RestoreDirectoryNotFoundError',
        message: expect.stringContaining(`found 2 aws-backup-restore_* directories`),
      }),
    );
  });

  it.each([
    ['a log line', "sh: can't open '/mnt/restored': Permission denied"],
    ['a name out of form', 'aws-backup-restore_yesterday'],
    ['a path', `/${NOW_FORM}`],
    ['a restore name beside another', `${NOW_FORM}\nlost+found`],
  ])('fails on what is not a restore directory name (%s)', (_case, message) => {
    expect(() => restoreDirectoryOfListing(message)).toThrow(
      expect.objectContaining({
        name: 'RestoreDirectoryNotFoundError',
        message: expect.stringContaining('printed what is not a restore directory'),
      }),
    );
  });
});
