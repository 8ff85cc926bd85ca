import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadedAtFirstSend } from '../../functions/commons/clients/loaded-at-first-send.ts';

const efs = mockClient(EFSClient);

afterEach(() => {
  efs.reset();
});

describe('loadedAtFirstSend', () => {
  it('loads the client at the first send only, once, and sends through it', async () => {
    // Prepare
    efs
      .on(DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: 'fs-1' }] as never });
    let loads = 0;
    const client = loadedAtFirstSend(async () => {
      loads += 1;
      return new EFSClient({ region: 'us-east-1' });
    });

    // Act
    const before = loads;
    const answers = await Promise.all([
      client.send(new DescribeFileSystemsCommand({})),
      client.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-1' })),
    ]);

    // Assess
    expect(before).toBe(0);
    expect(loads).toBe(1);
    expect(answers.map((answer) => answer.FileSystems?.[0]?.FileSystemId)).toEqual([
      'fs-1',
      'fs-1',
    ]);
    expect(efs.commandCalls(DescribeFileSystemsCommand)[1]?.args[0].input).toEqual({
      FileSystemId: 'fs-1',
    });
  });

  it('loads again at the next send after a load that failed', async () => {
    // Prepare
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    let loads = 0;
    const client = loadedAtFirstSend(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk not readable');
      return new EFSClient({ region: 'us-east-1' });
    });

    // Act
    const first = await client.send(new DescribeFileSystemsCommand({})).catch((error) => error);
    const second = await client.send(new DescribeFileSystemsCommand({}));

    // Assess
    expect((first as Error).message).toBe('chunk not readable');
    expect(second.FileSystems).toEqual([]);
    expect(loads).toBe(2);
  });
});
