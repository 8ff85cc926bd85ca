import { createServer, type Server, type Socket } from 'node:net';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoDBClient } from '../../functions/commons/clients/dynamodb.ts';
import { ec2Client } from '../../functions/commons/clients/ec2.ts';
import { efsClient } from '../../functions/commons/clients/efs.ts';
import { eksClient } from '../../functions/commons/clients/eks.ts';
import { eventBridgeClient } from '../../functions/commons/clients/eventbridge.ts';
import { sfnClient } from '../../functions/commons/clients/sfn.ts';
import { AWS_CLIENT_TIMEOUTS, withTimeouts } from '../../functions/commons/clients/timeouts.ts';
import { isTransientError } from '../../functions/lib/aws/transient.ts';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that accepts connections and never answers: a hung AWS endpoint. */
async function hangingEndpoint(): Promise<string> {
  server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

describe('AWS client timeouts', () => {
  it('turn a hung connection into a TimeoutError the steps retry as transient', async () => {
    // Prepare
    const client = new EFSClient({
      ...withTimeouts({ connectionTimeout: 200, requestTimeout: 300 }),
      endpoint: await hangingEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });

    // Act
    const error = await client.send(new DescribeFileSystemsCommand({})).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe('TimeoutError');
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['DynamoDB', dynamoDBClient],
    ['EC2', ec2Client],
    ['EFS', efsClient],
    ['EKS', eksClient],
    ['EventBridge', eventBridgeClient],
    ['Step Functions', sfnClient],
  ])(
    'are set on the functions %s client, well under the steps Lambda timeout',
    async (_, client) => {
      // Act
      const handler = client.config.requestHandler as unknown as {
        configProvider: Promise<Record<string, unknown>>;
      };
      const options = await handler.configProvider;

      // Assess
      expect(options).toMatchObject({ ...AWS_CLIENT_TIMEOUTS, throwOnRequestTimeout: true });
      expect(
        3 * (AWS_CLIENT_TIMEOUTS.connectionTimeout + AWS_CLIENT_TIMEOUTS.requestTimeout),
      ).toBeLessThan(90_000);
    },
  );
});
