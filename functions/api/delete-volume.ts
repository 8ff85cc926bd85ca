import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonResponse } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { deleteVolume } from '#lib/service/delete-volume';

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
