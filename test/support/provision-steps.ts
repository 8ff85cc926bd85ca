/**
 * The provisioning steps, in the order the provision ASL runs them on its happy path: written
 * out, not read from the ASL, so the tests that walk them check the ASL against it.
 */
export const PROVISION_STEPS = [
  'ResolveCluster',
  'CreateSecurityGroup',
  'CreateFileSystem',
  'CreateMountTargets',
  'CreateAccessPoint',
  'CheckMountTargets',
  'ApplyManifests',
  'CheckClaimBound',
  'CompleteProvisioning',
] as const;
