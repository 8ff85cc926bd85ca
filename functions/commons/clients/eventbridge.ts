import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

// Created once per module so warm Lambdas reuse connections.
export const eventBridgeClient = new EventBridgeClient({});
