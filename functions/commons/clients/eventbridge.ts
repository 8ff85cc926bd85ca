import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module so warm Lambdas reuse connections.
export const eventBridgeClient = traceable(new EventBridgeClient(withTimeouts()));
