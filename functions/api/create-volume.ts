import { ec2Client } from '#clients/ec2';
import { apiDependencies } from '#helpers/api-dependencies';
import { apiHandler } from '#helpers/api-handler';
import { callerOf, jsonBodyOf, jsonResponse, volumeHeaders } from '#lib/http/http';
import { validateParameters } from '#lib/http/parameters';
import { createVolume } from '#lib/service/create-volume';
import { logger } from '#powertools/logger';
import * as parameters from '../generated/validators/createVolume.ts';

export const handler = apiHandler(
  'createVolume',
  async (event) => {
    const headers = validateParameters<{ 'idempotency-key'?: string }>(
      parameters,
      'header',
      event.headers,
    );
    const result = await createVolume(apiDependencies({ ec2: ec2Client }), jsonBodyOf(event), {
      caller: callerOf(event),
      idempotencyKey: headers['idempotency-key'],
    });
    if (result.kind === 'plan') return jsonResponse(200, result.plan);
    logger.appendKeys({ volumeId: result.volume.id, executionName: result.volume.executionName });
    return jsonResponse(202, result.volume, volumeHeaders(result.volume, { location: true }));
  },
  { jsonBody: true },
);
