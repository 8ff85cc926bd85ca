import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';
import { getVolume } from '#lib/api/volumes-service';

export const handler = apiHandler(async (event) => {
  const { id } = validateParameters<{ id: string }>('getVolume', 'path', event.pathParameters);
  return jsonResponse(200, await getVolume(apiDependencies(), id, callerOf(event)));
});
