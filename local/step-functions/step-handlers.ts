// Binds each `${…FunctionArn}` placeholder of the ASL files to the very handler the Lambda
// of that name runs, so local mode and the workflow tests execute the production code.
import type { Context } from 'aws-lambda';
import { handler as applyManifests } from '../../functions/steps/apply-manifests.ts';
import { handler as beginRollback } from '../../functions/steps/begin-rollback.ts';
import { handler as checkClaimBound } from '../../functions/steps/check-claim-bound.ts';
import { handler as checkMountTargets } from '../../functions/steps/check-mount-targets.ts';
import { handler as checkMountTargetsDeleted } from '../../functions/steps/check-mount-targets-deleted.ts';
import { handler as completeDeletion } from '../../functions/steps/complete-deletion.ts';
import { handler as completeProvisioning } from '../../functions/steps/complete-provisioning.ts';
import { handler as completeRollback } from '../../functions/steps/complete-rollback.ts';
import { handler as createAccessPoint } from '../../functions/steps/create-access-point.ts';
import { handler as createFileSystem } from '../../functions/steps/create-file-system.ts';
import { handler as createMountTargets } from '../../functions/steps/create-mount-targets.ts';
import { handler as createSecurityGroup } from '../../functions/steps/create-security-group.ts';
import { handler as deleteAccessPoint } from '../../functions/steps/delete-access-point.ts';
import { handler as deleteFileSystem } from '../../functions/steps/delete-file-system.ts';
import { handler as deleteManifests } from '../../functions/steps/delete-manifests.ts';
import { handler as deleteMountTargets } from '../../functions/steps/delete-mount-targets.ts';
import { handler as deleteSecurityGroup } from '../../functions/steps/delete-security-group.ts';
import { handler as recordDeletionFailure } from '../../functions/steps/record-deletion-failure.ts';
import { handler as recordRollbackFailure } from '../../functions/steps/record-rollback-failure.ts';
import { handler as resolveCluster } from '../../functions/steps/resolve-cluster.ts';

/** A Lambda handler as the local runner calls it. */
export type StepHandler = (event: never, context: Context) => Promise<unknown>;

/** Function name (the placeholder without `FunctionArn`) → handler. */
export const stepHandlers = {
  ResolveCluster: resolveCluster,
  CreateSecurityGroup: createSecurityGroup,
  CreateFileSystem: createFileSystem,
  CreateMountTargets: createMountTargets,
  CreateAccessPoint: createAccessPoint,
  CheckMountTargets: checkMountTargets,
  ApplyManifests: applyManifests,
  CheckClaimBound: checkClaimBound,
  CompleteProvisioning: completeProvisioning,
  BeginRollback: beginRollback,
  DeleteManifests: deleteManifests,
  DeleteAccessPoint: deleteAccessPoint,
  DeleteMountTargets: deleteMountTargets,
  CheckMountTargetsDeleted: checkMountTargetsDeleted,
  DeleteFileSystem: deleteFileSystem,
  DeleteSecurityGroup: deleteSecurityGroup,
  CompleteRollback: completeRollback,
  RecordRollbackFailure: recordRollbackFailure,
  CompleteDeletion: completeDeletion,
  RecordDeletionFailure: recordDeletionFailure,
} as const satisfies Record<string, StepHandler>;

export type StepFunctionName = keyof typeof stepHandlers;

let invocations = 0;

/** A Lambda context good enough for Powertools and middy. */
export function localContext(functionName: string): Context {
  const deadline = Date.now() + 120_000;
  invocations++;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${process.pid}-${invocations}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
