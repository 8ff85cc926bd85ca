// The cold-init floor (bench/cold-init-floor.ts): one DynamoDB client, made at init as the
// API functions make theirs, and nothing else.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
export const handler = async () => ({ statusCode: 200, body: String(Boolean(client)) });
