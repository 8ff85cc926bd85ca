import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf, jsonResponse, volumeHeaders } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { getVolume } from '#lib/service/read-volumes';
import * as parameters from '../generated/validators/getVolume.ts';

export const handler = apiHandler('getVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  const volume = await getVolume(readDependencies(), id, callerOf(event));
  return jsonResponse(200, volume, volumeHeaders(volume));
});
