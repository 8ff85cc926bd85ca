// How the stack's event rules deliver to a Lambda function: retried by EventBridge, then by
// Lambda, and never silently lost (a dead-letter queue). Shared by the request rule and the
// execution settlement.
import { Duration } from 'aws-cdk-lib';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue } from './nag-acknowledgements.ts';
import type { ServiceFunction } from './service-function.ts';

/** How often EventBridge, then Lambda, retry a request event before it goes to the DLQ. */
export const REQUEST_RETRY_ATTEMPTS = 4;

export const REQUEST_MAX_EVENT_AGE = Duration.hours(2);

/** The queue where an event neither EventBridge nor Lambda could deliver ends up (14 days). */
export function eventDeadLetterQueue(scope: Construct): Queue {
  const queue = new Queue(scope, 'DeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(queue);
  return queue;
}

/**
 * A rule's target that is never silently lost: EventBridge retries delivery, and, since it
 * invokes asynchronously, Lambda retries a thrown (transient) error; what still fails goes to
 * `deadLetterQueue` either way.
 */
export function retriedLambdaTarget(
  handler: ServiceFunction,
  deadLetterQueue: Queue,
): LambdaFunction {
  handler.function.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: REQUEST_MAX_EVENT_AGE,
    onFailure: new SqsDestination(deadLetterQueue),
  });
  return new LambdaFunction(handler.function, {
    deadLetterQueue,
    retryAttempts: REQUEST_RETRY_ATTEMPTS,
    maxEventAge: REQUEST_MAX_EVENT_AGE,
  });
}
