import { repairDependencies } from '#helpers/repair-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { recordRepairFailure } from '#lib/repair/repair-steps';

export const handler = stepHandler('RecordRepairFailure', recordRepairFailure, repairDependencies);
