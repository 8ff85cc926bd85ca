import { ec2Client } from '#clients/ec2';
import { efsClient } from '#clients/efs';
import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonResponse, volumeHeaders } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { repairVolume } from '#lib/service/repair-volume';
import * as parameters from '../generated/validators/repairVolume.ts';

export const handler = apiHandler('repairVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  const { verifyMount } = validateParameters<{ verifyMount: boolean }>(
    parameters,
    'query',
    event.queryStringParameters,
  );
  const volume = await repairVolume(apiDependencies({ ec2: ec2Client, efs: efsClient }), id, {
    caller: callerOf(event),
    verifyMount,
  });
  return jsonResponse(202, volume, volumeHeaders(volume, { location: true }));
});
