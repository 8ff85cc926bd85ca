import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { volumeManifests } from '#lib/service/volume-manifests';
import * as parameters from '../generated/validators/getVolumeManifests.ts';

export const handler = apiHandler('getVolumeManifests', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/yaml', 'Cache-Control': 'no-store' },
    body: await volumeManifests(readDependencies(), id, callerOf(event)),
  };
});
