import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { deleteVolume } from '#lib/api/delete-volume';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';

export const handler = apiHandler('deleteVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>('deleteVolume', 'path', event.pathParameters);
  const { force } = validateParameters<{ force: boolean }>(
    'deleteVolume',
    'query',
    event.queryStringParameters,
  );
  const volume = await deleteVolume(apiDependencies(), id, { caller: callerOf(event), force });
  return jsonResponse(202, volume, { Location: `/volumes/${id}` });
});
