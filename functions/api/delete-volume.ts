import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonResponse, volumeHeaders } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { deleteVolume } from '#lib/service/delete-volume';
import * as parameters from '../generated/validators/deleteVolume.ts';

export const handler = apiHandler('deleteVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  const { force } = validateParameters<{ force: boolean }>(
    parameters,
    'query',
    event.queryStringParameters,
  );
  const volume = await deleteVolume(apiDependencies(), id, { caller: callerOf(event), force });
  return jsonResponse(202, volume, volumeHeaders(volume, { location: true }));
});
