import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';
import { listVolumes } from '#lib/api/read-volumes';
import type { VolumeListQuery } from '#lib/volume/record';

export const handler = apiHandler('listVolumes', async (event) => {
  const query = validateParameters<VolumeListQuery & Record<string, unknown>>(
    'listVolumes',
    'query',
    event.queryStringParameters,
  );
  return jsonResponse(200, await listVolumes(readDependencies(), query, callerOf(event)));
});
