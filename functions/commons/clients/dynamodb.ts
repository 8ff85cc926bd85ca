import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traceable } from '#powertools/client-tracing';
import { withTimeouts } from './timeouts.ts';

// Created once per module so warm Lambdas reuse connections. Marked before the document
// client wraps it: the document client sends through this client's middleware stack.
export const dynamoDBClient = traceable(new DynamoDBClient(withTimeouts()));
export const documentClient = DynamoDBDocumentClient.from(dynamoDBClient, {
  marshallOptions: { removeUndefinedValues: true },
});
