import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traceable } from '#powertools/client-tracing';

// Created once per module so warm Lambdas reuse connections. Marked before the document
// client wraps it: the document client sends through this client's middleware stack.
export const dynamoDBClient = traceable(new DynamoDBClient({}));
export const documentClient = DynamoDBDocumentClient.from(dynamoDBClient, {
  marshallOptions: { removeUndefinedValues: true },
});
