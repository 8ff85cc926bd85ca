import { eventBridgeClient } from '#clients/eventbridge';
import { stepHandler } from '#helpers/step-handler';
import { volumeRecords } from '#helpers/volume-records';
import { serviceSettings } from '#lib/config';
import { completeProvisioning } from '#lib/workflow/lifecycle-steps';
import { volumeMetrics } from '#powertools/metrics';

// Only the clients this step calls, so its bundle and its IAM role stay small.
export const handler = stepHandler('CompleteProvisioning', completeProvisioning, () => ({
  events: eventBridgeClient,
  records: volumeRecords(),
  settings: serviceSettings(),
  metrics: volumeMetrics,
}));
