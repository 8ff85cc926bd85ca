import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ProblemError, problems } from '../problems/problem.ts';
import { createVolume, type VolumeServiceDependencies } from '../service/create-volume.ts';
import { putLifecycleEvent } from '../volume/lifecycle-events.ts';
import { assertRequestSender, assertRequestSendersConfigured } from './request-senders.ts';

/** The detail-type a provisioning request event carries. */
export const PROVISION_REQUESTED = 'Volume Provision Requested';

/** An EventBridge event as a Lambda target receives it. */
export interface RequestEvent {
  readonly id: string;
  readonly source: string;
  readonly account?: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

export type RequestEventOutcome =
  | { readonly outcome: 'accepted'; readonly volumeId: string; readonly status: string }
  | { readonly outcome: 'rejected'; readonly problem: string; readonly detail: string };

const KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const ACCOUNT = /^\d{12}$/;

/**
 * The principal of a request event: `events:<account>:<source>`. EventBridge sets `account` to
 * the account that called PutEvents (the sender cannot choose it); `source` is free text of the
 * sender's, so an `events:` rule trusts everyone in that account who may put events on the bus.
 */
export function eventCaller(event: Pick<RequestEvent, 'account' | 'source'>): string {
  return `events:${event.account}:${event.source}`;
}

/**
 * Handles `Volume Provision Requested`: only from an account of the configured senders
 * (`requestSenders`; none by default, so nothing is accepted until someone is named), then the
 * same validation, policy and idempotency as POST /volumes, with `detail.idempotencyKey` (else
 * the event id) as the key and `events:<account>:<source>` as the caller ({@link eventCaller}).
 * A request that can never succeed is reported as a `Volume Request Rejected` event and not
 * thrown, so EventBridge does not retry it; a transient failure is thrown, and retried.
 */
export async function handleProvisionRequested(
  deps: VolumeServiceDependencies & {
    events: EventBridgeClient;
    busName: string;
    expectedSource: string;
    /** The accounts and role ARNs that may send requests (REQUEST_SENDERS). */
    requestSenders: readonly string[];
  },
  event: RequestEvent,
): Promise<RequestEventOutcome> {
  try {
    if (event.source !== deps.expectedSource || event['detail-type'] !== PROVISION_REQUESTED) {
      throw problems.invalidRequest(
        `expected source ${deps.expectedSource} and detail-type ${PROVISION_REQUESTED}, got ${event.source} / ${event['detail-type']}`,
      );
    }
    // Before anything of the event is read: with no senders configured, every request is
    // refused for that reason alone, whatever else is wrong with it.
    assertRequestSendersConfigured(deps.requestSenders);
    if (typeof event.account !== 'string' || !ACCOUNT.test(event.account)) {
      throw problems.invalidRequest('the event has no sending account (account)');
    }
    assertRequestSender(deps.requestSenders, event.account);
    if (typeof event.detail !== 'object' || event.detail === null || Array.isArray(event.detail)) {
      throw problems.invalidRequest('detail must be a JSON object');
    }
    const { idempotencyKey, ...request } = event.detail as Record<string, unknown>;
    if (
      idempotencyKey !== undefined &&
      (typeof idempotencyKey !== 'string' || !KEY.test(idempotencyKey))
    ) {
      throw problems.invalidRequest(
        'detail.idempotencyKey must be 1 to 128 of A-Z a-z 0-9 _ . : -',
        [{ field: 'idempotencyKey', message: 'is invalid' }],
      );
    }
    const result = await createVolume(deps, request, {
      caller: eventCaller(event),
      idempotencyKey: (idempotencyKey as string | undefined) ?? event.id,
    });
    if (result.kind === 'plan') {
      return {
        outcome: 'rejected',
        problem: 'dry-run',
        detail: 'dryRun is not supported for events',
      };
    }
    return { outcome: 'accepted', volumeId: result.volume.id, status: result.volume.status };
  } catch (error) {
    if (error instanceof ProblemError && error.status < 500) {
      await putLifecycleEvent(deps.events, deps.busName, 'Volume Request Rejected', {
        requestEventId: event.id,
        problem: error.toDocument(),
      });
      return { outcome: 'rejected', problem: error.slug, detail: error.message };
    }
    throw error;
  }
}
