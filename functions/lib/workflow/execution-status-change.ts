/** The `detail-type` Step Functions gives its execution events on the default bus. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** The `source` of Step Functions' events. */
export const STATES_SOURCE = 'aws.states';

/** How an execution can end without its workflow having settled the record. */
export const UNSETTLED_END_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * The EventBridge pattern of the execution ends to settle: any of the workflows', ended FAILED,
 * TIMED_OUT or ABORTED. The stack's rule (infra/execution-settlement.ts) and local mode's
 * delivery (local/stack.ts) both use it.
 */
export function unsettledEndPattern(stateMachineArns: readonly string[]) {
  return {
    source: [STATES_SOURCE],
    detailType: [EXECUTION_STATUS_CHANGE],
    detail: { status: [...UNSETTLED_END_STATUSES], stateMachineArn: [...stateMachineArns] },
  };
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | (typeof UNSETTLED_END_STATUSES)[number];

/**
 * The `detail` of a "Step Functions Execution Status Change" event, as EventBridge delivers it
 * (dates in epoch milliseconds; `input` is the execution's input as a JSON string, null when
 * it was too large to include).
 */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate?: number;
  readonly stopDate?: number | null;
  readonly input?: string | null;
  readonly inputDetails?: { readonly included: boolean };
  readonly output?: string | null;
  readonly error?: string | null;
  readonly cause?: string | null;
}

/** A "Step Functions Execution Status Change" event as a Lambda target receives it. */
export interface ExecutionStatusChangeEvent {
  readonly version?: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account?: string;
  readonly time?: string;
  readonly region?: string;
  readonly resources?: readonly string[];
  readonly detail: ExecutionStatusChangeDetail;
}

/** Volume ids (`vol-` and 20 hex digits) and the delete and repair executions named after them. */
const EXECUTION_NAME = /^(vol-[0-9a-f]{20})(?:-(?:delete|repair)-[0-9a-f]+)?$/;

/**
 * The volume an execution works on: its input's `volumeId`, else (an input too large to be
 * included) the name, as the workflows name their executions after the volume
 * (`<id>`, `<id>-delete-<hex>`, `<id>-repair-<hex>`). Undefined for an execution that is none of ours.
 */
export function volumeIdOf(detail: Pick<ExecutionStatusChangeDetail, 'input' | 'name'>) {
  if (typeof detail.input === 'string') {
    try {
      const input = JSON.parse(detail.input) as { volumeId?: unknown };
      if (typeof input.volumeId === 'string') return input.volumeId;
    } catch {
      // not JSON: fall back to the name
    }
  }
  return EXECUTION_NAME.exec(detail.name)?.[1];
}

/**
 * The ARN of a state machine's execution by name: what StartExecution answers, known before
 * it is started (`arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>`).
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
