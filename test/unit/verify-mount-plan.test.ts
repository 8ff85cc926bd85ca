import { describe, expect, it } from 'vitest';
import type { ClusterDescription } from '../../functions/lib/aws/cluster.ts';
import type { FargateReport } from '../../functions/lib/aws/fargate-preflight.ts';
import {
  pricesIn,
  provisioningUsd,
  RESTORE_LOOK_USAGE,
} from '../../functions/lib/pricing/prices.ts';
import { planVolume } from '../../functions/lib/service/plan.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';

const cluster: ClusterDescription = {
  name: 'prod',
  endpoint: 'https://example',
  caData: '',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: [],
};

const MOUNT_CHECK = {
  image: 'public.ecr.aws/docker/library/busybox:1.37.0',
  timeoutSeconds: 180,
  pollSeconds: 10,
  cpu: '250m',
  memory: '64Mi',
};

function fargate(podLabels: Record<string, string>): FargateReport {
  return {
    vpcId: 'vpc-1',
    profiles: [{ name: 'teams', podLabels, subnetIds: ['subnet-a'] }],
    availabilityZones: ['us-east-1a'],
    warnings: [],
  } as FargateReport;
}

/**
 * The plan of `spec` on the test cluster, with the mount check's settings and neither a pool
 * member nor a shared file system; priced when given a region.
 */
function planOf(
  spec: Parameters<typeof planVolume>[1],
  fargateReport: FargateReport | undefined,
  region?: string,
) {
  return planVolume(
    'vol-1',
    spec,
    cluster,
    fargateReport,
    undefined,
    undefined,
    region,
    MOUNT_CHECK,
  );
}

describe('the plan of a volume with verifyMount', () => {
  it('shows the Job VerifyMount would run, in the volume’s namespace', () => {
    // Prepare
    const spec = validateVolumeRequest({
      clusterName: 'prod',
      namespace: 'team-a',
      name: 'data',
      verifyMount: true,
    });

    // Act
    const plan = planOf(spec, fargate({}));

    // Assess
    expect(plan.spec.verifyMount).toBe(true);
    expect(plan.mountCheck).toMatchObject({
      namespace: 'team-a',
      image: MOUNT_CHECK.image,
      timeoutSeconds: 180,
    });
    expect(plan.mountCheck?.job).toContain('kind: Job');
    expect(plan.mountCheck?.job).toContain('claimName: data');
    expect(plan.warnings).toEqual([]);
  });

  it('warns when no Fargate profile would select the mount check’s pod', () => {
    // Prepare: the only profile wants a label the Job's pod does not carry
    const spec = validateVolumeRequest({
      clusterName: 'prod',
      namespace: 'team-a',
      name: 'data',
      verifyMount: true,
    });

    // Act
    const plan = planOf(spec, fargate({ app: 'web' }));

    // Assess
    expect(plan.warnings).toEqual([
      expect.stringContaining("no Fargate profile selects the mount check's pod"),
    ]);
  });

  it('shows no Job without verifyMount, and takes the stack’s default when the request names none', () => {
    // Prepare
    const request = { clusterName: 'prod', namespace: 'team-a', name: 'data' };

    // Act
    const plain = planOf(validateVolumeRequest(request), undefined);
    const defaulted = validateVolumeRequest(request, { verifyMount: true });
    const refused = validateVolumeRequest(
      { ...request, verifyMount: false },
      { verifyMount: true },
    );

    // Assess
    expect(plain.mountCheck).toBeUndefined();
    expect(plain.spec.verifyMount).toBeUndefined();
    expect(defaulted.verifyMount).toBe(true);
    expect(refused.verifyMount).toBeUndefined();
  });
});

describe('the plan of a restore', () => {
  const restore = () => ({
    ...validateVolumeRequest({ clusterName: 'prod', namespace: 'team-a', name: 'data' }),
    restoreFrom: {
      volumeId: 'vol-source',
      recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1',
      fileSystemId: 'fs-source1',
    },
  });

  it('shows the listing FindRestoreDirectory would run to find the restore directory', () => {
    // Act
    const plan = planOf(restore(), fargate({}));

    // Assess
    expect(plan.restoreListing).toMatchObject({
      namespace: 'team-a',
      image: MOUNT_CHECK.image,
      timeoutSeconds: 180,
      accessPoint: { rootDirectory: '/', posixUser: { uid: 65534, gid: 65534 } },
    });
    expect(plan.restoreListing?.manifests).toContain('volumeHandle: <fileSystemId>::');
    expect(plan.restoreListing?.manifests).toContain('kind: PersistentVolumeClaim');
    expect(plan.restoreListing?.job).toContain('readOnly: true');
    expect(plan.mountCheck).toBeUndefined();
  });

  it("prices the restore: its steps in the provisioning cost, AWS Backup's charge per GB restored", () => {
    // Act
    const plan = planOf(restore(), fargate({}), 'us-east-1');
    const created = planOf(
      validateVolumeRequest({ clusterName: 'prod', namespace: 'team-a', name: 'data' }),
      fargate({}),
      'us-east-1',
    );

    // Assess: 13 transitions and 7 requests more than a new file system's run
    const prices = pricesIn('us-east-1');
    if (!prices || !plan.cost || !created.cost) throw new Error('no us-east-1 prices');
    expect(plan.cost.restore).toEqual({
      perGbUsd: 0.02,
      perRestoreJobLookUsd: provisioningUsd(RESTORE_LOOK_USAGE, prices),
    });
    expect(plan.cost.provisioningUsd - created.cost.provisioningUsd).toBeCloseTo(
      13 * prices.stepFunctionsTransition +
        7 * prices.lambdaRequest +
        7 * RESTORE_LOOK_USAGE.lambdaGbSeconds * prices.lambdaArm64GbSecond,
      12,
    );
    expect(created.cost.restore).toBeUndefined();
  });

  it("warns when no Fargate profile selects the listing's pod", () => {
    // Act
    const plan = planOf(restore(), fargate({ 'app.kubernetes.io/component': 'web' }));

    // Assess
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^restoreFrom: no Fargate profile selects the restore listing's pod .* FindRestoreDirectory$/,
      ),
    ]);
  });

  it('shows no listing for a volume that is not a restore', () => {
    // Act
    const plan = planOf(
      validateVolumeRequest({ clusterName: 'prod', namespace: 'team-a', name: 'data' }),
      fargate({}),
    );

    // Assess
    expect(plan.restoreListing).toBeUndefined();
  });
});
