import { describe, expect, it } from 'vitest';
import {
  ACCESS_DENIED_OUTPUT,
  cidrHolds,
  type EfsMountFacts,
  efsMountOutcome,
  type PolicyStatement,
  policyAllows,
  TIMED_OUT_OUTPUT,
  unresolvedNameOutput,
} from '../../local/aws-model/efs-mount.ts';

const FS_ARN = 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd';
const AP_ARN = 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123abcd';

/** The policy the service puts on the file systems it creates (access points only, TLS only). */
const SERVICE_POLICY: { readonly Statement: PolicyStatement[] } = {
  Statement: [
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Condition: {
        ArnLike: {
          'elasticfilesystem:AccessPointArn':
            'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/*',
        },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    },
  ],
};

/** A pod in us-east-1a that every rule lets mount. */
function mountable(overrides: Partial<EfsMountFacts> = {}): EfsMountFacts {
  return {
    region: 'us-east-1',
    fileSystemId: 'fs-0123abcd',
    fileSystem: { state: 'available', arn: FS_ARN },
    accessPointId: 'fsap-0123abcd',
    accessPoint: { state: 'available', arn: AP_ARN, fileSystemId: 'fs-0123abcd' },
    pod: { availabilityZone: 'us-east-1a', address: '10.20.1.37', securityGroupIds: ['sg-pods'] },
    mountTargets: [
      {
        id: 'fsmt-a',
        availabilityZone: 'us-east-1a',
        state: 'available',
        securityGroupIds: ['sg-efs'],
        resolves: true,
      },
      {
        id: 'fsmt-b',
        availabilityZone: 'us-east-1b',
        state: 'available',
        securityGroupIds: ['sg-efs'],
        resolves: true,
      },
    ],
    ingress: {
      'sg-efs': [
        { protocol: 'tcp', fromPort: 2049, toPort: 2049, sourceGroupIds: ['sg-pods'], cidrs: [] },
      ],
    },
    policy: SERVICE_POLICY,
    ...overrides,
  };
}

const unresolved = {
  ok: false,
  rule: 'dns',
  output: unresolvedNameOutput('fs-0123abcd', 'us-east-1'),
};

describe('efsMountOutcome', () => {
  it('mounts read-write when every rule holds', () => {
    expect(efsMountOutcome(mountable())).toEqual({ ok: true, readOnly: false });
  });

  it("prints efs-utils' message when the file system's name cannot resolve", () => {
    expect(unresolved.output).toBe(
      'Failed to resolve "fs-0123abcd.efs.us-east-1.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail.',
    );
  });

  it.each([
    ['the file system is gone', { fileSystem: undefined }],
    ['the file system is still creating', { fileSystem: { state: 'creating', arn: FS_ARN } }],
    [
      "no mount target is in the pod's zone",
      {
        pod: {
          availabilityZone: 'us-east-1c',
          address: '10.20.3.9',
          securityGroupIds: ['sg-pods'],
        },
      },
    ],
    [
      "the pod's zone's mount target is deleting",
      {
        mountTargets: [
          {
            id: 'fsmt-a',
            availabilityZone: 'us-east-1a',
            state: 'deleting',
            securityGroupIds: ['sg-efs'],
          },
        ],
      },
    ],
    [
      "the pod's zone's mount target is still creating",
      {
        mountTargets: [
          {
            id: 'fsmt-a',
            availabilityZone: 'us-east-1a',
            state: 'creating',
            securityGroupIds: ['sg-efs'],
          },
        ],
      },
    ],
    [
      "the pod's zone's mount target is within its DNS delay",
      {
        mountTargets: [
          {
            id: 'fsmt-a',
            availabilityZone: 'us-east-1a',
            state: 'available',
            securityGroupIds: ['sg-efs'],
            resolves: false,
          },
        ],
      },
    ],
  ])('fails to resolve the name when %s', (_case, overrides) => {
    expect(efsMountOutcome(mountable(overrides as Partial<EfsMountFacts>))).toEqual(unresolved);
  });

  it("uses the mount target of the pod's zone only: another zone's does not help", () => {
    // Prepare: only us-east-1b has one
    const facts = mountable({ mountTargets: [mountable().mountTargets[1] as never] });

    // Assess
    expect(efsMountOutcome(facts)).toEqual(unresolved);
  });

  it.each([
    ['no rule names the pod', { 'sg-efs': [] }],
    [
      'the rule names another group',
      {
        'sg-efs': [
          {
            protocol: 'tcp',
            fromPort: 2049,
            toPort: 2049,
            sourceGroupIds: ['sg-other'],
            cidrs: [],
          },
        ],
      },
    ],
    [
      'the rule opens another port',
      {
        'sg-efs': [
          { protocol: 'tcp', fromPort: 22, toPort: 22, sourceGroupIds: ['sg-pods'], cidrs: [] },
        ],
      },
    ],
    [
      "the rule's CIDR does not hold the pod",
      {
        'sg-efs': [
          {
            protocol: 'tcp',
            fromPort: 2049,
            toPort: 2049,
            sourceGroupIds: [],
            cidrs: ['10.30.0.0/16'],
          },
        ],
      },
    ],
  ])('times out when the security group drops NFS: %s', (_case, ingress) => {
    expect(efsMountOutcome(mountable({ ingress }))).toEqual({
      ok: false,
      rule: 'network',
      output: TIMED_OUT_OUTPUT,
    });
  });

  it.each([
    [
      "a CIDR holding the pod's address",
      {
        protocol: 'tcp',
        fromPort: 2049,
        toPort: 2049,
        sourceGroupIds: [],
        cidrs: ['10.20.0.0/16'],
      },
    ],
    ['all traffic from its group', { protocol: '-1', sourceGroupIds: ['sg-pods'], cidrs: [] }],
  ])('admits NFS by %s', (_case, rule) => {
    expect(efsMountOutcome(mountable({ ingress: { 'sg-efs': [rule] } }))).toEqual({
      ok: true,
      readOnly: false,
    });
  });

  it.each([
    ['the access point is gone', { accessPoint: undefined }],
    [
      'the access point is on another file system',
      { accessPoint: { state: 'available', arn: AP_ARN, fileSystemId: 'fs-other' } },
    ],
    [
      'the policy allows another access point only',
      {
        policy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'elasticfilesystem:ClientMount',
              Condition: {
                StringEquals: { 'elasticfilesystem:AccessPointArn': `${AP_ARN}-other` },
              },
            },
          ],
        },
      },
    ],
    [
      'the policy denies mounting',
      {
        policy: {
          Statement: [
            ...SERVICE_POLICY.Statement,
            { Effect: 'Deny', Principal: '*', Action: 'elasticfilesystem:ClientMount' },
          ],
        },
      },
    ],
    [
      'the policy allows a named role only (the pod mounts without IAM)',
      {
        policy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::123456789012:role/app' },
              Action: 'elasticfilesystem:ClientMount',
            },
          ],
        },
      },
    ],
  ])('is denied by the server when %s', (_case, overrides) => {
    expect(efsMountOutcome(mountable(overrides as Partial<EfsMountFacts>))).toEqual({
      ok: false,
      rule: 'access',
      output: ACCESS_DENIED_OUTPUT,
    });
  });

  it('mounts read-only when the policy allows ClientMount but not ClientWrite', () => {
    // Prepare
    const policy = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'elasticfilesystem:ClientMount' },
      ],
    };

    // Assess
    expect(efsMountOutcome(mountable({ policy }))).toEqual({ ok: true, readOnly: true });
  });

  it('mounts read-write without a policy (EFS then admits every client that reaches it)', () => {
    expect(efsMountOutcome(mountable({ policy: undefined }))).toEqual({
      ok: true,
      readOnly: false,
    });
  });
});

describe('policyAllows', () => {
  it('lets the service policy admit its access points over TLS and nothing without one', () => {
    expect(policyAllows(SERVICE_POLICY, 'elasticfilesystem:ClientMount', AP_ARN)).toBe(true);
    expect(policyAllows(SERVICE_POLICY, 'elasticfilesystem:ClientRootAccess', AP_ARN)).toBe(false);
    expect(policyAllows(SERVICE_POLICY, 'elasticfilesystem:ClientMount', '')).toBe(false);
  });
});

describe('cidrHolds', () => {
  it('tells addresses inside a block from those outside', () => {
    expect(cidrHolds('10.20.0.0/16', '10.20.255.1')).toBe(true);
    expect(cidrHolds('10.20.0.0/16', '10.21.0.1')).toBe(false);
    expect(cidrHolds('0.0.0.0/0', '192.0.2.1')).toBe(true);
    expect(cidrHolds('10.20.1.37/32', '10.20.1.37')).toBe(true);
  });
});
