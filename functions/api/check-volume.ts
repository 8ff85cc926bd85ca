import { apiHandler } from '#helpers/api-handler';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { readDependencies } from '#helpers/read-dependencies';
import { callerOf, jsonResponse } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { checkVolume } from '#lib/service/check-volume';
import * as parameters from '../generated/validators/checkVolume.ts';

export const handler = apiHandler('checkVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  const deps = { ...healthCheckDependencies(), ...readDependencies() };
  return jsonResponse(200, await checkVolume(deps, id, callerOf(event)));
});
