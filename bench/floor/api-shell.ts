// The cold-init floor (bench/cold-init-floor.ts): every API function's wrapper (middy, the
// Powertools Logger and Metrics, problem+json), around an operation that calls no AWS API.
import { apiHandler } from '#helpers/api-handler';

export const handler = apiHandler('getVolume', async () => ({ statusCode: 200, body: '{}' }));
