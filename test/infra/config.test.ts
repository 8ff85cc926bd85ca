import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../functions/lib/settings.ts';
import {
  CONTEXT_KEY,
  DEFAULT_CONFIG,
  kubernetesNetworkOf,
  maxMountTargetChecks,
  mountCheckEnvironment,
  mountTargetWaitWorstCaseSeconds,
  OTHER_STEPS_RESERVE_SECONDS,
  PROVISION_TIMEOUT_SECONDS,
  parseServiceConfig,
  ServiceConfigError,
  VPC_IDS_REQUIRED,
} from '../../infra/config.ts';
import { projectContext } from '../../infra/project-context.ts';

const VPC_IDS = ['vpc-0123456789abcdef0'];

const network = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
};

describe('parseServiceConfig', () => {
  it('gives the defaults for every setting but the VPCs', () => {
    // Prepare
    const raw = { vpcIds: VPC_IDS };

    // Act
    const config = parseServiceConfig(raw);

    // Assess
    expect(config).toEqual({ ...DEFAULT_CONFIG, vpcIds: VPC_IDS });
    expect(config).toMatchObject({
      clusters: [],
      accessPolicy: { rules: [] },
      kubernetesAccess: 'rbac',
      logLevel: 'INFO',
      requestEventSource: 'efs-volumes.requests',
      workflow: {},
    });
  });

  it("reads cdk.json's efs-volumes context, with the VPCs an operator adds", () => {
    // Prepare
    const raw = { ...(projectContext()[CONTEXT_KEY] as object), vpcIds: VPC_IDS };

    // Act
    const config = parseServiceConfig(raw);

    // Assess
    expect(config.clusters).toEqual([]);
    expect(config.vpcIds).toEqual(VPC_IDS);
  });

  it('reads the JSON a -c efs-volumes=… option gives, clusters by name or with a VPC', () => {
    // Prepare
    const raw = JSON.stringify({
      clusters: ['dev', { name: 'prod', vpc: network }],
      workflow: { claimMaxChecks: 10 },
      vpcIds: VPC_IDS,
      accessPolicy: {
        rules: [{ caller: 'arn:aws:iam::123456789012:role/ci', cluster: 'dev', namespaces: ['*'] }],
      },
    });

    // Act
    const config = parseServiceConfig(raw);

    // Assess
    expect(config.clusters).toEqual([{ name: 'dev' }, { name: 'prod', vpc: network }]);
    expect(config.workflow).toEqual({ claimMaxChecks: 10 });
    expect(config.accessPolicy.rules).toHaveLength(1);
  });

  it.each([
    [{ clusters: [{ name: '-bad' }] }, 'clusters[0].name must be an EKS cluster name'],
    [{ clusters: ['dev', 'dev'] }, 'dev is listed twice'],
    [{ clusters: [{ name: 'a', vpc: { ...network, vpcId: 'vpc-1' } }] }, 'clusters[0].vpc.vpcId'],
    [
      { clusters: [{ name: 'a', vpc: { ...network, subnetIds: [] } }] },
      'clusters[0].vpc.subnetIds',
    ],
    [{ accessPolicy: { rules: [{ caller: 'x' }] } }, 'accessPolicy: each ACCESS_POLICY rule needs'],
    [{ logLevel: 'TRACE' }, 'logLevel must be one of'],
    [{ kubernetesAccess: 'edit' }, 'kubernetesAccess must be rbac or cluster-admin'],
    // Without the VPCs the mount targets' network interfaces could only be deleted unscoped.
    [undefined, VPC_IDS_REQUIRED],
    [{}, VPC_IDS_REQUIRED],
    [{ vpcIds: [] }, VPC_IDS_REQUIRED],
    [{ vpcIds: ['vpc-x'] }, 'vpcIds must be a list of VPC ids (vpc-…)'],
    [{ vpcIds: 'vpc-0123456789abcdef0' }, 'vpcIds must be a list of VPC ids (vpc-…)'],
    [{ workflow: { mountTargetPollSeconds: -1 } }, 'workflow.mountTargetPollSeconds'],
    [{ workflow: { pollSeconds: 5 } }, 'unknown workflow setting pollSeconds'],
    [
      { workflow: { mountTargetLookAheadSeconds: 271 } },
      'workflow.mountTargetLookAheadSeconds must be at most 270',
    ],
    // Waits that could outlast the provisioning execution: TIMED_OUT instead of a rollback.
    [
      { workflow: { mountTargetMaxChecks: 15 } },
      'workflow.mountTargetMaxChecks is 15, but with these waits at most 14 checks',
    ],
    [
      { workflow: { mountTargetPollSeconds: 600 } },
      'workflow.mountTargetMaxChecks is 14, but with these waits at most 4 checks',
    ],
    [{ requestEventSource: 'aws.events' }, 'EventBridge reserves it'],
    [{ warmPool: { demo: -1 } }, 'warmPool must map cluster names to whole numbers from 0 to 20'],
    [{ warmPool: { demo: 2.5 } }, 'warmPool must map cluster names to whole numbers from 0 to 20'],
    [{ warmPool: { demo: 21 } }, 'warmPool must map cluster names to whole numbers from 0 to 20'],
    [{ warmPool: [2] }, 'warmPool must map cluster names to whole numbers from 0 to 20'],
    [{ efsKmsKeyArn: 'alias/efs' }, 'efsKmsKeyArn must be a KMS key ARN'],
    [
      { logsKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/logs' },
      'logsKmsKeyArn must be a KMS key ARN',
    ],
    [
      { logsKmsKeyArn: '0f3c1d2e-1111-2222-3333-444455556666' },
      'logsKmsKeyArn must be a KMS key ARN',
    ],
    [{ apiRateLimit: 'fast' }, 'apiRateLimit must be a non-negative number'],
    [{ verifyMount: 'yes' }, 'verifyMount must be true or false'],
    [
      { mountCheck: { image: 'busybox' } },
      'mountCheck.image must be an image with a tag or digest',
    ],
    [{ mountCheck: { timeoutSeconds: 0 } }, 'mountCheck.timeoutSeconds must be a whole number'],
    [{ mountCheck: { memory: 'lots' } }, 'mountCheck.memory must be a Kubernetes quantity'],
    [{ mountCheck: { retries: 2 } }, 'unknown mountCheck setting retries'],
    [{ healthCheckMinutes: 0 }, 'healthCheckMinutes must be a whole number from 1 to 1440'],
    [{ healthCheckMinutes: 7.5 }, 'healthCheckMinutes must be a whole number from 1 to 1440'],
    [{ clusterNames: ['dev'] }, 'unknown efs-volumes setting(s): clusterNames'],
    [
      {
        accessPolicy: {
          rules: Array.from({ length: 40 }, (_, i) => ({
            caller: `arn:aws:iam::123456789012:role/team-${i}`,
            cluster: 'prod',
            namespaces: [`team-${i}`],
          })),
        },
      },
      'too much for a Lambda environment',
    ],
  ])('refuses %j', (raw, message) => {
    // Prepare
    const parse = () => parseServiceConfig(raw);

    // Act
    let thrown: unknown;
    try {
      parse();
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(ServiceConfigError);
    expect((thrown as Error).message).toContain(message);
  });
});

describe('the mount check settings', () => {
  it('gives the steps only the mount check settings the configuration names', () => {
    // Prepare
    const config = parseServiceConfig({
      vpcIds: VPC_IDS,
      verifyMount: true,
      mountCheck: { image: 'registry.example/busybox:1.37.0', timeoutSeconds: 300 },
    });

    // Act
    const environment = mountCheckEnvironment(config);

    // Assess
    expect(config.verifyMount).toBe(true);
    expect(environment).toEqual({
      VERIFY_MOUNT_IMAGE: 'registry.example/busybox:1.37.0',
      VERIFY_MOUNT_TIMEOUT_SECONDS: '300',
    });
    expect(mountCheckEnvironment(DEFAULT_CONFIG)).toEqual({});
  });
});

describe('the mount-target wait budget', () => {
  const defaults = {
    mountTargetFirstWaitSeconds: SETTINGS.MOUNT_TARGET_FIRST_WAIT_SECONDS.default,
    mountTargetPollSeconds: SETTINGS.MOUNT_TARGET_POLL_SECONDS.default,
    mountTargetLookAheadSeconds: SETTINGS.MOUNT_TARGET_LOOK_AHEAD_SECONDS.default,
  };

  it("derives the functions' default checks from the provisioning execution's time limit", () => {
    // Act
    const allowed = maxMountTargetChecks(defaults);

    // Assess: the default is the most that fits, and fits with the rollback and the other steps
    expect(PROVISION_TIMEOUT_SECONDS).toBe(7200);
    expect(SETTINGS.MOUNT_TARGET_MAX_CHECKS.default).toBe(allowed);
    const worst = mountTargetWaitWorstCaseSeconds({ ...defaults, mountTargetMaxChecks: allowed });
    expect(worst + OTHER_STEPS_RESERVE_SECONDS).toBeLessThanOrEqual(PROVISION_TIMEOUT_SECONDS);
    expect(
      mountTargetWaitWorstCaseSeconds({ ...defaults, mountTargetMaxChecks: allowed + 1 }) +
        OTHER_STEPS_RESERVE_SECONDS,
    ).toBeGreaterThan(PROVISION_TIMEOUT_SECONDS);
  });

  it('waits at least 30 minutes for a mount target before giving up, with the defaults', () => {
    // Act: the provisioning wait alone: the first wait, then a poll and a look-ahead per check
    const checks = SETTINGS.MOUNT_TARGET_MAX_CHECKS.default;
    const waited =
      defaults.mountTargetFirstWaitSeconds +
      (checks - 1) * (defaults.mountTargetPollSeconds + defaults.mountTargetLookAheadSeconds);

    // Assess: AWS users report mount targets taking over 10 minutes (Terraform waits 30)
    expect(waited).toBeGreaterThanOrEqual(30 * 60);
  });
});

describe('kubernetesNetworkOf', () => {
  it('is the one placement the clusters ask for, or none', () => {
    // Prepare
    const clusters = [
      { name: 'a', vpc: network },
      { name: 'b' },
      { name: 'c', vpc: { ...network, subnetIds: [...network.subnetIds] } },
    ];

    // Act
    const [placement, none] = [kubernetesNetworkOf(clusters), kubernetesNetworkOf([{ name: 'b' }])];

    // Assess
    expect(placement).toEqual(network);
    expect(none).toBeUndefined();
  });

  it('refuses two different placements: one function cannot sit in two VPCs', () => {
    // Prepare
    const clusters = [
      { name: 'a', vpc: network },
      { name: 'b', vpc: { ...network, vpcId: 'vpc-0123456789abcdef1' } },
    ];

    // Act
    const placement = () => kubernetesNetworkOf(clusters);

    // Assess
    expect(placement).toThrow(ServiceConfigError);
  });
});
