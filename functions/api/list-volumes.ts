import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf, jsonResponse } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { listVolumes } from '#lib/service/read-volumes';
import type { VolumeListQuery } from '#lib/volume/record';
import * as parameters from '../generated/validators/listVolumes.ts';

export const handler = apiHandler('listVolumes', async (event) => {
  const query = validateParameters<VolumeListQuery & Record<string, unknown>>(
    parameters,
    'query',
    event.queryStringParameters,
  );
  return jsonResponse(200, await listVolumes(readDependencies(), query, callerOf(event)));
});
