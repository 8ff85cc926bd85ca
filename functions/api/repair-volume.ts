import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';
import { repairVolume } from '#lib/api/repair-volume';

export const handler = apiHandler('repairVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>('repairVolume', 'path', event.pathParameters);
  const volume = await repairVolume(apiDependencies(), id, { caller: callerOf(event) });
  return jsonResponse(202, volume, { Location: `/volumes/${id}` });
});
