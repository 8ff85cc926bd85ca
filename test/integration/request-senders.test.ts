// Event requests are closed by default (issue 19, item 5): through the bundles of local mode,
// POST /local/events is refused with its reason until REQUEST_SENDERS (the stack's
// requestSenders) names the sender, and accepted once it does.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { fetchVolume } from '../support/api-volumes.ts';
import {
  captureLifecycleEvents,
  eventually,
  json,
  type LifecycleEvent,
  startTestStack,
} from '../support/local-stack-harness.ts';
import { VolumeClient } from '../support/volume-client.ts';

const SENDER_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

// Local mode's own caller, who lists the volumes here: without a rule it would see none.
const READER = {
  caller: `arn:aws:iam::${SENDER_ACCOUNT}:role/local-developer`,
  cluster: 'api-*',
  namespaces: ['team-a'],
};

type Outcome = { outcome: string; problem?: string; detail?: string; volumeId?: string };

let events: { drain: () => Promise<LifecycleEvent[]> };

beforeAll(async () => {
  events = await captureLifecycleEvents();
});

/** A `Volume Provision Requested` event as EventBridge delivers it, from `account`. */
async function sendRequest(stack: LocalStack, account: string, name: string) {
  const id = `event-${randomUUID()}`;
  const response = await fetch(
    `${stack.api}/local/events`,
    json({
      id,
      source: 'efs-volumes.requests',
      account,
      'detail-type': 'Volume Provision Requested',
      detail: { clusterName: stack.clusterName, namespace: 'team-a', name },
    }),
  );
  return { id, status: response.status, outcome: (await response.json()) as Outcome };
}

/** The `Volume Request Rejected` event put for the request event `id`. */
function rejectionOf(id: string): Promise<LifecycleEvent> {
  return eventually(async () =>
    // Every event received so far: the queue is fed by every stack on this moto.
    (await events.drain()).find(
      (event) =>
        event['detail-type'] === 'Volume Request Rejected' && event.detail.requestEventId === id,
    ),
  );
}

describe('with no request senders configured (the default)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        rules: [
          READER,
          { caller: `events:${SENDER_ACCOUNT}:*`, cluster: 'api-*', namespaces: ['team-a'] },
        ],
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('rejects a request the access policy would allow, saying to configure requestSenders, and creates nothing', async () => {
    // Act
    const sent = await sendRequest(stack, SENDER_ACCOUNT, 'closed');

    // Assess: refused, reported on the bus with its reason, nothing recorded
    expect(sent.status).toBe(200);
    expect(sent.outcome).toMatchObject({ outcome: 'rejected', problem: 'sender-not-allowed' });
    expect(sent.outcome.detail).toMatch(
      /^no request senders are configured, so no Volume Provision Requested event is accepted: .*requestSenders/,
    );
    const rejection = await rejectionOf(sent.id);
    expect(rejection.detail.problem).toMatchObject({
      type: 'https://efs-volumes.dev/problems/sender-not-allowed',
      status: 403,
      detail: sent.outcome.detail,
    });
    expect(await new VolumeClient(stack.api).list(stack.clusterName)).toEqual([]);
  });
});

describe('with the sending account named in requestSenders', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack({
      requestSenders: [SENDER_ACCOUNT],
      policy: {
        rules: [READER, { caller: 'events:*:*', cluster: 'api-*', namespaces: ['team-a'] }],
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('accepts its request and provisions the volume', async () => {
    // Act
    const sent = await sendRequest(stack, SENDER_ACCOUNT, 'open');

    // Assess
    expect(sent.outcome).toMatchObject({ outcome: 'accepted' });
    const ready = await eventually(async () => {
      const volume = await fetchVolume<{ status: string }>(stack, sent.outcome.volumeId ?? '');
      return volume.status === 'READY' ? volume : undefined;
    });
    expect(ready.status).toBe('READY');
  });

  it('rejects a request from an account it does not name, though the access policy allows it', async () => {
    // Act
    const sent = await sendRequest(stack, OTHER_ACCOUNT, 'stranger');

    // Assess
    expect(sent.outcome).toMatchObject({ outcome: 'rejected', problem: 'sender-not-allowed' });
    expect(sent.outcome.detail).toMatch(
      new RegExp(`^account ${OTHER_ACCOUNT} is not among the request senders`),
    );
    expect((await rejectionOf(sent.id)).detail.problem).toMatchObject({ status: 403 });
    const volumes = await new VolumeClient(stack.api).list(stack.clusterName);
    expect(volumes.map((volume) => volume.name)).not.toContain('stranger');
  });
});
