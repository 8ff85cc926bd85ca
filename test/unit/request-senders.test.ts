import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  handleProvisionRequested,
  type RequestEvent,
} from '../../functions/lib/events/provision-requested.ts';
import {
  assertRequestSender,
  requestSendersFromEnvironment,
} from '../../functions/lib/events/request-senders.ts';
import { ProblemError } from '../../functions/lib/problems/problem.ts';
import type { VolumeServiceDependencies } from '../../functions/lib/service/create-volume.ts';

const SENDER_ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '333333333333';
const SENDER_ROLE = 'arn:aws:iam::222222222222:role/platform/request-sender';

/** The refusal `assertRequestSender` throws, or undefined when it lets the account through. */
function refusalOf(senders: readonly string[], account: string): ProblemError | undefined {
  try {
    assertRequestSender(senders, account);
    return undefined;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
}

describe('assertRequestSender', () => {
  it('refuses every account while no sender is configured, saying what to configure', () => {
    // Act
    const refusal = refusalOf([], SENDER_ACCOUNT);

    // Assess
    expect(refusal).toMatchObject({ status: 403, slug: 'sender-not-allowed' });
    expect(refusal?.message).toMatch(/^no request senders are configured/);
    expect(refusal?.message).toContain("the stack's requestSenders setting");
  });

  it('lets through an account it names', () => {
    // Act
    const refusal = refusalOf([SENDER_ACCOUNT], SENDER_ACCOUNT);

    // Assess
    expect(refusal).toBeUndefined();
  });

  it("lets through the account of a role it names (an event carries no role; the bus's policy narrows it)", () => {
    // Act
    const refusal = refusalOf([SENDER_ROLE], '222222222222');

    // Assess
    expect(refusal).toBeUndefined();
  });

  it('refuses an account it does not name, naming that account and the setting', () => {
    // Act
    const refusal = refusalOf([SENDER_ACCOUNT, SENDER_ROLE], OTHER_ACCOUNT);

    // Assess
    expect(refusal).toMatchObject({ status: 403, slug: 'sender-not-allowed' });
    expect(refusal?.message).toMatch(
      /^account 333333333333 is not among the request senders.*requestSenders/,
    );
  });
});

describe('requestSendersFromEnvironment', () => {
  it('reads a JSON list of accounts and role ARNs, and unset as nobody', () => {
    // Act
    const read = {
      set: requestSendersFromEnvironment(JSON.stringify([SENDER_ACCOUNT, SENDER_ROLE])),
      unset: requestSendersFromEnvironment(undefined),
    };

    // Assess
    expect(read).toEqual({ set: [SENDER_ACCOUNT, SENDER_ROLE], unset: [] });
  });

  it.each([
    ['not JSON', '[111111111111', /must be JSON/],
    ['a string', '"111111111111"', /must be a JSON list/],
    ['a user', '["arn:aws:iam::111111111111:user/alice"]', /must be a JSON list/],
    ['a short account', '["12345"]', /must be a JSON list/],
    ['a wildcard', '["*"]', /must be a JSON list/],
  ])('refuses %s', (_, raw, message) => {
    expect(() => requestSendersFromEnvironment(raw)).toThrow(message);
  });
});

describe('handleProvisionRequested, before the request is read', () => {
  const eventsMock = mockClient(EventBridgeClient);
  const events = new EventBridgeClient({ region: 'us-east-1' });
  // No volume service: a refused event must never reach it (any use would throw a TypeError).
  const noVolumeService = {} as VolumeServiceDependencies;
  const event: RequestEvent = {
    id: 'event-1',
    source: 'efs-volumes.requests',
    account: OTHER_ACCOUNT,
    'detail-type': 'Volume Provision Requested',
    detail: { clusterName: 'prod', namespace: 'team-a', name: 'data' },
  };

  beforeEach(() => {
    eventsMock.reset();
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  });

  it.each([
    ['no sender is configured', [], /^no request senders are configured/],
    ['its account is not a sender', [SENDER_ACCOUNT], /^account 333333333333 is not among/],
  ])(
    'rejects the event when %s, with Volume Request Rejected saying why',
    async (_, senders, reason) => {
      // Act
      const outcome = await handleProvisionRequested(
        {
          ...noVolumeService,
          events,
          busName: 'volumes-bus',
          expectedSource: 'efs-volumes.requests',
          requestSenders: senders,
        },
        event,
      );

      // Assess
      expect(outcome).toMatchObject({ outcome: 'rejected', problem: 'sender-not-allowed' });
      expect(outcome.outcome === 'rejected' && outcome.detail).toMatch(reason);
      const entry = eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
      expect(entry).toMatchObject({
        EventBusName: 'volumes-bus',
        DetailType: 'Volume Request Rejected',
      });
      expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
        requestEventId: 'event-1',
        problem: {
          type: 'https://efs-volumes.dev/problems/sender-not-allowed',
          status: 403,
          detail: expect.stringMatching(reason),
        },
      });
    },
  );

  it('says no sender is configured even for an event without its sending account', async () => {
    // Act
    const outcome = await handleProvisionRequested(
      {
        ...noVolumeService,
        events,
        busName: 'volumes-bus',
        expectedSource: 'efs-volumes.requests',
        requestSenders: [],
      },
      { ...event, account: undefined },
    );

    // Assess
    expect(outcome).toMatchObject({
      outcome: 'rejected',
      problem: 'sender-not-allowed',
      detail: expect.stringMatching(/^no request senders are configured/),
    });
  });
});
