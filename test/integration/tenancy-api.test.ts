// Tenancy through the local HTTP API (issue 11 items 1, 3, 4): callers of different teams, told
// apart by X-Local-Caller, under one ACCESS_POLICY.
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  DescribeAccessPointsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { eventually, json, startTestStack } from '../support/local-stack-harness.ts';

const ACCOUNT = '123456789012';
const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const ALICE = session('team-a-alice');
const BOB = session('team-a-bob');
const TEAM_B = session('team-b-deployer');
const TEAM_AB = session('team-ab-deployer');
const PLATFORM = session('platform-admin');

const efs = new EFSClient({});
let stack: LocalStack;
/** Tagged shareable, and closed by its owner's policy. */
let shareable: string;
/** Tagged shareable, but without a file system policy: open to every client as root. */
let openShareable: string;
let notTagged: string;

type Volume = { id: string; status: string; resources: { fileSystemId?: string } };
type Problem = { type: string; status: number; detail: string };

async function createFileSystem(
  tags: Record<string, string>,
): Promise<{ id: string; arn: string }> {
  const { FileSystemId = '', FileSystemArn = '' } = await efs.send(
    new CreateFileSystemCommand({
      CreationToken: `tenancy-${Math.random().toString(36).slice(2)}`,
      Encrypted: true,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return { id: FileSystemId, arn: FileSystemArn };
}

/** What README.md asks of a shared file system's owner: TLS, and mounts only through access points. */
function closedPolicy(fileSystemArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyUnencryptedTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: fileSystemArn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'MountThroughAccessPoints',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: fileSystemArn,
        Condition: {
          ArnLike: {
            'elasticfilesystem:AccessPointArn': fileSystemArn.replace(
              /:file-system\/.*$/,
              ':access-point/fsap-*',
            ),
          },
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
        },
      },
    ],
  });
}

/** A shared file system's owner gives it a mount target in each zone of the cluster. */
async function mountInClusterZones(fileSystemId: string, clusterName: string): Promise<void> {
  const { cluster } = await new EKSClient({}).send(
    new DescribeClusterCommand({ name: clusterName }),
  );
  const { Subnets = [] } = await new EC2Client({}).send(
    new DescribeSubnetsCommand({ SubnetIds: cluster?.resourcesVpcConfig?.subnetIds ?? [] }),
  );
  const zones = new Map(Subnets.map((subnet) => [subnet.AvailabilityZone, subnet.SubnetId]));
  for (const subnetId of zones.values()) {
    await efs.send(
      new CreateMountTargetCommand({ FileSystemId: fileSystemId, SubnetId: subnetId }),
    );
  }
}

beforeAll(async () => {
  const closed = await createFileSystem({ 'efs-volumes:shareable': 'true' });
  shareable = closed.id;
  await efs.send(
    new PutFileSystemPolicyCommand({ FileSystemId: shareable, Policy: closedPolicy(closed.arn) }),
  );
  openShareable = (await createFileSystem({ 'efs-volumes:shareable': 'true' })).id;
  notTagged = (await createFileSystem({})).id;
  stack = await startTestStack({
    // Both accounts may send, so the access policy is what tells them apart below.
    requestSenders: [ACCOUNT, '111111111111'],
    policy: {
      rules: [
        { caller: role('team-a-*'), cluster: 'api-*', namespaces: ['team-a'] },
        {
          caller: role('team-b-*'),
          cluster: 'api-*',
          namespaces: ['team-b'],
          sharedFileSystems: [shareable, openShareable, notTagged],
          posixIds: { uids: ['2000-2999'], gids: [2000] },
        },
        { caller: role('platform-admin'), cluster: 'api-*', namespaces: ['*'], deleteOthers: true },
        {
          caller: `events:${ACCOUNT}:efs-volumes.requests`,
          cluster: 'api-*',
          namespaces: ['team-a'],
        },
      ],
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

function as(caller: string, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'X-Local-Caller': caller },
  };
}

async function post(caller: string, body: Record<string, unknown>) {
  const response = await fetch(
    `${stack.api}/volumes`,
    as(caller, json({ clusterName: stack.clusterName, ...body })),
  );
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    json: (await response.json()) as unknown,
  };
}

async function remove(caller: string, id: string, force = false) {
  const response = await fetch(
    `${stack.api}/volumes/${id}${force ? '?force=true' : ''}`,
    as(caller, { method: 'DELETE' }),
  );
  return { status: response.status, json: (await response.json()) as unknown };
}

async function read(caller: string, id: string) {
  const response = await fetch(`${stack.api}/volumes/${id}`, as(caller));
  return { status: response.status, json: (await response.json()) as Volume };
}

async function ready(id: string, caller = ALICE): Promise<Volume> {
  return eventually(async () => {
    const { json: volume } = await read(caller, id);
    if (['FAILED', 'ROLLBACK_FAILED'].includes(volume.status)) {
      throw new Error(`volume ${id} ended ${volume.status}`);
    }
    return volume.status === 'READY' ? volume : undefined;
  }, 30_000);
}

async function accessPointsOn(fileSystemId: string): Promise<number> {
  const { AccessPoints = [] } = await efs.send(
    new DescribeAccessPointsCommand({ FileSystemId: fileSystemId }),
  );
  return AccessPoints.length;
}

describe('tenancy through the API', () => {
  let alices: Volume;

  beforeAll(async () => {
    const created = await post(ALICE, { namespace: 'team-a', name: 'alices-data' });
    expect(created.status).toBe(202);
    alices = await ready((created.json as Volume).id);
  }, 60_000);

  describe('deleting (item 3)', () => {
    it('lets a colleague read a volume but not delete it, even with force', async () => {
      // Act
      const seen = await read(BOB, alices.id);
      const refused = await remove(BOB, alices.id, true);

      // Assess
      expect(seen.status).toBe(200);
      expect(refused.status).toBe(403);
      expect((refused.json as Problem).detail).toMatch(/principal that created .*deleteOthers/);
      expect((await read(ALICE, alices.id)).json.status).toBe('READY');
    });

    it('hides the volume from a caller whose name only starts like the team prefix', async () => {
      // Act
      const seen = await read(TEAM_AB, alices.id);
      const refused = await remove(TEAM_AB, alices.id, true);

      // Assess
      expect(seen.status).toBe(404);
      expect(refused.status).toBe(404);
    });
  });

  describe('shared file systems (item 1)', () => {
    it("refuses another team's file system and directory, creating nothing", async () => {
      // Prepare
      const fileSystemId = alices.resources.fileSystemId ?? '';
      const before = await accessPointsOn(fileSystemId);

      // Act
      const refused = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'steal',
        fileSystemId,
        rootDirectory: { path: '/team-a/shared-data' },
      });

      // Assess
      expect(refused.status).toBe(403);
      expect(refused.type).toMatch(/application\/problem\+json/);
      expect((refused.json as Problem).detail).toContain(`outside /${stack.clusterName}/team-b/`);
      expect(await accessPointsOn(fileSystemId)).toBe(before);
    });

    it('refuses a file system no rule shares, even under the namespace', async () => {
      // Act
      const refused = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'steal-2',
        fileSystemId: alices.resources.fileSystemId,
        rootDirectory: { path: `/${stack.clusterName}/team-b/data` },
        posixUser: { uid: 2000, gid: 2000 },
      });

      // Assess
      expect(refused.status).toBe(403);
      expect((refused.json as Problem).detail).toMatch(/is not shared with this caller/);
    });

    it('refuses POSIX ids the rule does not grant, including the default 1000', async () => {
      // Act
      const refused = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'ids',
        fileSystemId: shareable,
        rootDirectory: { path: `/${stack.clusterName}/team-b/ids` },
      });

      // Assess
      expect(refused.status).toBe(403);
      expect((refused.json as Problem).detail).toMatch(/uid 1000, gid 1000 not granted/);
      expect(await accessPointsOn(shareable)).toBe(0);
    });

    it('refuses a listed file system without the shareable tag', async () => {
      // Act
      const refused = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'untagged',
        fileSystemId: notTagged,
        posixUser: { uid: 2000, gid: 2000 },
      });

      // Assess
      expect(refused.status).toBe(403);
      expect((refused.json as Problem).detail).toMatch(/not tagged efs-volumes:shareable=true/);
    });

    it("refuses, plan included, a shareable file system of someone else's that no policy closes, creating nothing", async () => {
      // Prepare
      const request = {
        namespace: 'team-b',
        name: 'open',
        fileSystemId: openShareable,
        posixUser: { uid: 2500, gid: 2000 },
      };

      // Act
      const refused = await post(TEAM_B, request);
      const planRefused = await post(TEAM_B, { ...request, dryRun: true });

      // Assess
      for (const answer of [refused, planRefused]) {
        expect(answer.status).toBe(403);
        expect(answer.type).toMatch(/application\/problem\+json/);
        expect(answer.json).toMatchObject({
          type: 'https://efs-volumes.dev/problems/shared-file-system-open',
          detail: expect.stringMatching(
            new RegExp(`${openShareable} .*no file system policy.*Its owner must put`),
          ),
        });
      }
      expect(await accessPointsOn(openShareable)).toBe(0);
      const listed = await fetch(`${stack.api}/volumes?namespace=team-b`, as(TEAM_B));
      const { items } = (await listed.json()) as { items: { name: string }[] };
      expect(items.map((volume) => volume.name)).not.toContain('open');
    });

    it('provisions a volume on a shareable file system its owner closed with a policy', async () => {
      // Prepare
      await mountInClusterZones(shareable, stack.clusterName);

      // Act
      const created = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'closed',
        fileSystemId: shareable,
        posixUser: { uid: 2500, gid: 2000 },
      });

      // Assess
      expect(created.status).toBe(202);
      const volume = await ready((created.json as Volume).id, TEAM_B);
      expect(volume.resources.fileSystemId).toBe(shareable);
      expect(await accessPointsOn(shareable)).toBe(1);
    });

    it('plans a volume on a shared, tagged file system within the grant', async () => {
      // Act
      const planned = await post(TEAM_B, {
        namespace: 'team-b',
        name: 'shared',
        fileSystemId: shareable,
        posixUser: { uid: 2500, gid: 2000 },
        dryRun: true,
      });

      // Assess
      expect(planned.status).toBe(200);
    });
  });

  describe('event requests (item 4)', () => {
    async function sendEvent(fields: Record<string, unknown>) {
      const response = await fetch(
        `${stack.api}/local/events`,
        json({
          id: `event-${Math.random().toString(36).slice(2)}`,
          source: 'efs-volumes.requests',
          'detail-type': 'Volume Provision Requested',
          detail: { clusterName: stack.clusterName, namespace: 'team-a', name: 'from-events' },
          ...fields,
        }),
      );
      return (await response.json()) as { outcome: string; problem?: string; detail?: string };
    }

    it('refuses an event from an account no rule names', async () => {
      // Act
      const outcome = await sendEvent({ account: '111111111111' });

      // Assess
      expect(outcome).toMatchObject({ outcome: 'rejected', problem: 'forbidden' });
    });

    it('refuses an event without its sending account', async () => {
      // Act
      const outcome = await sendEvent({});

      // Assess
      expect(outcome).toMatchObject({ outcome: 'rejected', problem: 'invalid-request' });
    });

    it('accepts an event from the account and source a rule names', async () => {
      // Act
      const outcome = await sendEvent({ account: ACCOUNT });

      // Assess
      expect(outcome).toMatchObject({ outcome: 'accepted' });
    });
  });

  describe('deleting, continued (item 3)', () => {
    it("lets a rule with deleteOthers delete a colleague's volume", async () => {
      // Prepare
      const created = await post(BOB, { namespace: 'team-a', name: 'bobs-data' });
      const bobs = await ready((created.json as Volume).id);

      // Act
      const deleted = await remove(PLATFORM, bobs.id, true);

      // Assess
      expect(deleted.status).toBe(202);
    });

    it('lets the owner delete their own volume', async () => {
      // Prepare: a volume of its own (the others share alices-data)
      const created = await post(ALICE, { namespace: 'team-a', name: 'alices-scratch' });
      const scratch = await ready((created.json as Volume).id);

      // Act
      const deleted = await remove(ALICE, scratch.id);

      // Assess
      expect(deleted.status).toBe(202);
      expect((deleted.json as Volume).status).toBe('DELETING');
    });
  });
});
