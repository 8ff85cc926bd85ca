import { apiHandler } from '#helpers/api-handler';
import { healthCheckDependencies } from '#helpers/health-check-dependencies';
import { readDependencies } from '#helpers/read-dependencies';
import { checkVolume } from '#lib/api/check-volume';
import { callerOf, jsonResponse } from '#lib/api/http';
import { validateParameters } from '#lib/api/parameters';

export const handler = apiHandler('checkVolume', async (event) => {
  const { id } = validateParameters<{ id: string }>('checkVolume', 'path', event.pathParameters);
  const deps = { ...healthCheckDependencies(), ...readDependencies() };
  return jsonResponse(200, await checkVolume(deps, id, callerOf(event)));
});
