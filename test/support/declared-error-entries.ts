// The AWS oracle's entries as the matrix tests drive them: each error each operation's model
// declares (functions/lib/aws/oracle.generated.ts) and each EC2 code the code acts on, with the
// outcome aws-outcomes.ts gives it. Read from the generated table, not from the outcome table:
// an error an SDK upgrade adds is an entry at once, and fails until it has an outcome.
import {
  type AwsOperation,
  DECLARED_ERROR_OUTCOMES,
  EC2_CODE_OUTCOMES,
  type Outcome,
} from '../../functions/lib/aws/aws-outcomes.ts';
import {
  AWS_ERROR_STATUSES,
  AWS_OPERATION_ERRORS,
} from '../../functions/lib/aws/oracle.generated.ts';
import type { FaultRule, MatchedCall } from '../../local/fault-proxy.ts';

/** One entry of the oracle: an operation answering one error, and what the code does. */
export interface Entry {
  readonly operation: AwsOperation;
  readonly name: string;
  readonly status: number;
  /** Undefined when the outcome table has none: the matrix tests fail. */
  readonly outcome: Outcome | undefined;
}

const outcomes = (operation: string, table: object): Readonly<Record<string, Outcome>> =>
  (table as Record<string, Record<string, Outcome>>)[operation] ?? {};

export const ENTRIES: readonly Entry[] = [
  ...Object.entries(AWS_OPERATION_ERRORS).flatMap(([operation, errors]) =>
    Object.keys(errors).map((name) => ({
      operation: operation as AwsOperation,
      name,
      status: (AWS_ERROR_STATUSES as Record<string, Record<string, number>>)[operation]?.[
        name
      ] as number,
      outcome: outcomes(operation, DECLARED_ERROR_OUTCOMES)[name],
    })),
  ),
  // EC2's codes are a document, not a model: all of them answer 400.
  ...Object.entries(EC2_CODE_OUTCOMES).flatMap(([operation, codes]) =>
    Object.entries(codes as Record<string, Outcome>).map(([name, outcome]) => ({
      operation: operation as AwsOperation,
      name,
      status: 400,
      outcome,
    })),
  ),
];

export const keyOf = (entry: Pick<Entry, 'operation' | 'name'>): string =>
  `${entry.operation} ${entry.name}`;

/**
 * Members an error carries as AWS sends it, where the code reads them: DynamoDB cancels a
 * transaction with a reason per item, and record.ts reads the first (a failed condition, as
 * the outcome table declares it).
 */
const MEMBERS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  TransactionCanceledException: { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] },
};

/** The fault proxy's rule answering `entry` to every call of its operation. */
export function answering(entry: Entry): FaultRule {
  const members = MEMBERS[entry.name];
  return {
    kind: 'declared-error',
    awsOperation: entry.operation,
    error: {
      name: entry.name,
      status: entry.status,
      message: `${entry.name} (injected)`,
      ...(members ? { members } : {}),
    },
  };
}

/**
 * A rule that only counts, naming an operation: the proxy then reads every call's operation
 * (for its `onCall` and `injectedByOperation`).
 */
export const OBSERVE: FaultRule = { kind: 'latency', awsOperation: '*', latencyMilliseconds: 0 };

/** The operation a call through the proxy is, when the oracle declares its errors. */
export function oracleOperationOf(call: MatchedCall): AwsOperation | undefined {
  return call.awsOperation && call.awsOperation in AWS_OPERATION_ERRORS
    ? (call.awsOperation as AwsOperation)
    : undefined;
}

/**
 * The operations whose entries test/integration/declared-errors-api drives through the API: the
 * calls the API's requests make. test/integration/declared-errors-matrix drives every other
 * operation's through the bundle of a function that makes it (the steps, the scheduled check),
 * and fails on an entry of one it does not drive: every entry is driven in one of the two.
 */
export const API_OPERATIONS: Readonly<Partial<Record<AwsOperation, string>>> = {
  'dynamodb:Query': 'the API lists volumes; the scheduled check lists PENDING ones',
  'dynamodb:TransactWriteItems': 'the API writes the record with its claim and quota counters',
  'ec2:DescribeVpcAttribute': 'the Fargate preflight of the API',
  'eks:DescribeFargateProfile': 'the Fargate preflight of the API and the drift check',
  'eks:ListFargateProfiles': 'the Fargate preflight of the API and the drift check',
  'states:StartExecution': 'the API starts the workflows',
};
