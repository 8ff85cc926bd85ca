import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';
import { getVolume } from '#lib/api/read-volumes';

export const handler = apiHandler('getVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>('getVolume', 'path', event.pathParameters);
  return jsonResponse(200, await getVolume(readDependencies(), id, callerOf(event)));
});
