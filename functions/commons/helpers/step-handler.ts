import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ProvisionState } from '#lib/provision/state';
import { logger } from '#powertools/logger';

/**
 * Wraps a workflow step as a Lambda handler: Powertools context and the volume id on every
 * log line, one line per failure with the error's name (never the state, which carries
 * the cluster CA, nor any token).
 */
export function stepHandler<D, R>(
  step: (state: ProvisionState, deps: D) => Promise<R>,
  dependencies: () => D,
) {
  return middy(async (state: ProvisionState, _context: Context): Promise<R> => {
    logger.appendKeys({ volumeId: state.volumeId, executionName: state.executionName });
    try {
      return await step(state, dependencies());
    } catch (error) {
      logger.warn('step failed', {
        errorName: (error as Error).name,
        errorMessage: (error as Error).message,
      });
      throw error;
    } finally {
      logger.removeKeys(['volumeId', 'executionName']);
    }
  }).use(injectLambdaContext(logger, { clearState: true, logEvent: false }));
}
