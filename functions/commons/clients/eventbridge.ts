import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { traceable } from '#powertools/client-tracing';

// Created once per module so warm Lambdas reuse connections.
export const eventBridgeClient = traceable(new EventBridgeClient({}));
