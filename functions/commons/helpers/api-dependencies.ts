import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { eksClient } from '#clients/eks';
import { kubernetesReaderFor } from '#clients/kubernetes-reader';
import { sfnClient } from '#clients/sfn';
import { serviceSettings } from '#lib/config';
import type { VolumeServiceDependencies } from '#lib/service/create-volume';
import { numberSetting, stringSetting } from '#lib/settings';
import { warmPoolSizes } from '#lib/volume/pool';
import { volumeMetrics } from '#powertools/metrics';
import { readDependencies } from './read-dependencies.ts';
import { recoveryPointDependencies } from './recovery-point-dependencies.ts';

/** The writing operations' dependencies: module-level clients, settings from the environment. */
export function apiDependencies(): VolumeServiceDependencies {
  const settings = serviceSettings();
  const recoveryPoints = recoveryPointDependencies();
  return {
    ...readDependencies(),
    ...(recoveryPoints ? { recoveryPoints } : {}),
    sfn: sfnClient,
    eks: eksClient,
    ec2: ec2Client,
    efs: efsClient,
    kubernetes: kubernetesReaderFor,
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
      warmPool: warmPoolSizes(),
    },
  };
}
