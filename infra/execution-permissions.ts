import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeExecutionReads } from './nag-acknowledgements.ts';

/**
 * states:DescribeExecution on a state machine's executions (`…:execution:<machine>:*`): to
 * tell whether an execution whose StartExecution failed was started all the same.
 */
export function describeExecutionsStatement(stateMachine: StateMachine): PolicyStatement {
  return new PolicyStatement({
    actions: ['states:DescribeExecution'],
    resources: [
      Stack.of(stateMachine).formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
  });
}

/** Lets a role describe a state machine's executions ({@link describeExecutionsStatement}). */
export function grantDescribeExecutions(role: IRole, stateMachine: StateMachine): void {
  role.addToPrincipalPolicy(describeExecutionsStatement(stateMachine));
  acknowledgeExecutionReads(role, stateMachine);
}
