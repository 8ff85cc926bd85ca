import { apiHandler } from '#helpers/api-handler';
import { readDependencies } from '#helpers/read-dependencies';
import { recoveryPointDependencies } from '#helpers/recovery-point-dependencies';
import { callerOf, jsonResponse } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { problems } from '#lib/problems/problem';
import { listVolumeRecoveryPoints } from '#lib/service/restore';
import * as parameters from '../generated/validators/listRecoveryPoints.ts';

export const handler = apiHandler('listRecoveryPoints', async (event) => {
  const { id } = validateParameters<{ id: string }>(parameters, 'path', event.pathParameters);
  const query = validateParameters<{ limit?: number; nextToken?: string }>(
    parameters,
    'query',
    event.queryStringParameters,
  );
  const recoveryPoints = recoveryPointDependencies();
  if (!recoveryPoints) throw problems.unavailable('RESTORE_ROLE_ARN is unset');
  const page = await listVolumeRecoveryPoints(
    { ...readDependencies(), ...(await recoveryPoints()) },
    id,
    callerOf(event),
    { limit: query.limit ?? 20, ...(query.nextToken ? { nextToken: query.nextToken } : {}) },
  );
  return jsonResponse(200, page);
});
