import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import { eksClient } from '#clients/eks';
import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import { loadedAtFirstSend } from '#clients/loaded-at-first-send';
import { sfnClient } from '#clients/sfn';
import { serviceSettings } from '#lib/config';
import { RecentAnswers } from '#lib/recent-answers';
import type { PassedPreflight, VolumeServiceDependencies } from '#lib/service/create-volume';
import { numberSetting, stringSetting } from '#lib/settings';
import { warmPoolSizes } from '#lib/volume/pool';
import { volumeMetrics } from '#powertools/metrics';
import { readDependencies } from './read-dependencies.ts';
import { recoveryPointDependencies } from './recovery-point-dependencies.ts';

// EC2 and EFS for the operations that call them only on some requests (a POST on a shared
// file system reads EFS, a DELETE reads neither): loaded by the first request that does.
const ec2AtFirstSend = loadedAtFirstSend<EC2Client>(
  async () => (await import('#clients/ec2')).ec2Client,
);
const efsAtFirstSend = loadedAtFirstSend<EFSClient>(
  async () => (await import('#clients/efs')).efsClient,
);

/**
 * The AWS part of the create path's preflights that passed, kept by this execution environment
 * for PREFLIGHT_CACHE_SECONDS (functions/lib/service/create-volume.ts).
 */
const preflights = new RecentAnswers<PassedPreflight>();

/**
 * The EC2 and EFS clients of an operation whose every request calls them (`createVolume`'s
 * Fargate preflight reads EC2, a repair's health check both): given here, they load with the
 * function; left out, they load at their first `send`.
 */
export interface EagerClients {
  readonly ec2?: EC2Client;
  readonly efs?: EFSClient;
}

/**
 * The writing operations' dependencies: module-level clients, settings from the environment.
 *
 * @param eager the EC2 and EFS clients every request of the operation calls
 * @default none: each loads at its first `send`
 */
export function apiDependencies(eager: EagerClients = {}): VolumeServiceDependencies {
  const settings = serviceSettings();
  const recoveryPoints = recoveryPointDependencies();
  return {
    ...readDependencies(),
    ...(recoveryPoints ? { recoveryPoints } : {}),
    sfn: sfnClient,
    eks: eksClient,
    ec2: eager.ec2 ?? ec2AtFirstSend,
    efs: eager.efs ?? efsAtFirstSend,
    kubernetes: kubernetesReaderFor,
    preflights,
    metrics: volumeMetrics,
    settings: {
      allowRootPosixUser: settings.allowRootPosixUser,
      verifyMount: settings.verifyMount,
      mountCheck: settings.mountCheck,
      provisionStateMachineArn: stringSetting('PROVISION_STATE_MACHINE_ARN') ?? '',
      deprovisionStateMachineArn: stringSetting('DEPROVISION_STATE_MACHINE_ARN') ?? '',
      repairStateMachineArn: stringSetting('REPAIR_STATE_MACHINE_ARN') ?? '',
      limits: {
        volumesPerNamespace: numberSetting('MAX_VOLUMES_PER_NAMESPACE'),
        volumesPerCaller: numberSetting('MAX_VOLUMES_PER_CALLER'),
      },
      subnetAddressReserve: numberSetting('SUBNET_ADDRESS_RESERVE'),
      preflightCacheSeconds: numberSetting('PREFLIGHT_CACHE_SECONDS'),
      warmPool: warmPoolSizes(),
    },
  };
}
