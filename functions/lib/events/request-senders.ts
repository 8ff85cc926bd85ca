// Who may send `Volume Provision Requested` events: the stack's `requestSenders`, given to the
// request function as REQUEST_SENDERS. The stack's own bus enforces it in its policy; the
// function decides it again, because a bus given with `eventBusName` is not the stack's to
// lock down, and because nobody is a sender until someone is named.
import { problems } from '../problems/problem.ts';
import { rawSetting } from '../settings.ts';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;

/** What to configure, said in every refusal. */
const HOW_TO_NAME_SENDERS =
  "name the accounts (123456789012) or IAM roles (arn:aws:iam::123456789012:role/name) that may send in the stack's requestSenders setting (REQUEST_SENDERS; locally, the REQUEST_SENDERS environment variable of npm start)";

/** A request sender: a 12-digit account id, or an IAM role ARN. */
export function isRequestSender(value: unknown): value is string {
  return typeof value === 'string' && (ACCOUNT_ID.test(value) || ROLE_ARN.test(value));
}

/** Whether a sender is an account id (else it is a role ARN). */
export function isAccountSender(sender: string): boolean {
  return ACCOUNT_ID.test(sender);
}

/**
 * Reads REQUEST_SENDERS: a JSON list of account ids and IAM role ARNs. Unset means no sender,
 * so every request event is refused.
 *
 * @throws Error when the value is not such a list: a broken configuration fails loudly
 */
export function requestSendersFromEnvironment(
  raw = rawSetting('REQUEST_SENDERS'),
): readonly string[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error('REQUEST_SENDERS must be JSON', { cause: error });
  }
  if (!Array.isArray(parsed) || !parsed.every(isRequestSender)) {
    throw new Error(
      'REQUEST_SENDERS must be a JSON list of account ids (123456789012) and IAM role ARNs (arn:aws:iam::123456789012:role/name)',
    );
  }
  return parsed;
}

/**
 * Refuses every request event while no sender is configured: the default is closed.
 *
 * @throws ProblemError `sender-not-allowed` (403) saying what to configure
 */
export function assertRequestSendersConfigured(senders: readonly string[]): void {
  if (senders.length === 0) {
    throw problems.senderNotAllowed(
      `no request senders are configured, so no Volume Provision Requested event is accepted: ${HOW_TO_NAME_SENDERS}`,
    );
  }
}

/**
 * Refuses a request event whose sending account the configured senders do not cover. An
 * EventBridge event names the account that called PutEvents, never the role, so a role
 * stands for its account here; on the stack's own bus, its policy has already let only that
 * role of the account put the request source.
 *
 * @param senders the configured senders ({@link requestSendersFromEnvironment})
 * @param account the event's `account`, as EventBridge set it
 * @throws ProblemError `sender-not-allowed` (403) when no sender is configured, or the account
 *   is none of theirs; the detail says what to configure
 */
export function assertRequestSender(senders: readonly string[], account: string): void {
  assertRequestSendersConfigured(senders);
  const accounts = senders.map((sender) => ROLE_ARN.exec(sender)?.[1] ?? sender);
  if (!accounts.includes(account)) {
    throw problems.senderNotAllowed(
      `account ${account} is not among the request senders, so its Volume Provision Requested events are not accepted: ${HOW_TO_NAME_SENDERS}`,
    );
  }
}
