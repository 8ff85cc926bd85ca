import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';
import { volumeManifests } from '#lib/api/volume-manifests';

export const handler = apiHandler('getVolumeManifests', async (event) => {
  const { id } = validateParameters<{ id: string }>(
    'getVolumeManifests',
    'path',
    event.pathParameters,
  );
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/yaml', 'Cache-Control': 'no-store' },
    body: await volumeManifests(readDependencies(), id, callerOf(event)),
  };
});
