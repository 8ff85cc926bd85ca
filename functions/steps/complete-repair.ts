import { repairDependencies } from '#helpers/repair-dependencies';
import { stepHandler } from '#helpers/step-handler';
import { completeRepair } from '#lib/repair/repair-steps';

export const handler = stepHandler('CompleteRepair', completeRepair, repairDependencies);
