import { withOptionalKubernetes } from '#helpers/optional-kubernetes';
import { awsStepDependencies } from '#helpers/step-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { recordDeletionFailure } from '#lib/workflow/lifecycle-steps';

export const handler = stepHandler(
  'RecordDeletionFailure',
  withOptionalKubernetes(recordDeletionFailure),
  awsStepDependencies,
);
