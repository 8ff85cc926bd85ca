import { createHash, randomBytes } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type ClusterTarget, resolveCluster } from '../aws/cluster.ts';
import { errorName, isTransientError } from '../aws/transient.ts';
import {
  ClusterConfigurationError,
  ClusterNotActiveError,
  ClusterNotFoundError,
  InvalidListTokenError,
  InvalidVolumeRequestError,
  KubernetesRequestError,
  TransientError,
  VolumeRecordStateError,
} from '../errors.ts';
import { renderManifests } from '../kube/manifests-yaml.ts';
import type { KubernetesReader } from '../kube/read-client.ts';
import type { ProvisionInput } from '../provision/state.ts';
import { newVolumeId } from '../volume/names.ts';
import {
  toVolume,
  type Volume,
  type VolumeListQuery,
  type VolumeRecord,
  type VolumeRecordStore,
  type VolumeStatus,
} from '../volume/record.ts';
import { validateVolumeRequest } from '../volume/request.ts';
import { type AccessPolicy, authorize } from './access-policy.ts';
import { planVolume, type VolumePlan } from './plan.ts';
import { ProblemError, problems } from './problem.ts';

export interface VolumeServiceSettings {
  readonly allowRootPosixUser: boolean;
  readonly provisionStateMachineArn: string;
  readonly deprovisionStateMachineArn: string;
}

/** What the API's operations need; the handlers build it from module-level clients. */
export interface VolumeServiceDependencies {
  readonly records: VolumeRecordStore;
  readonly sfn: SFNClient;
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly kubernetes: (cluster: ClusterTarget) => Promise<KubernetesReader>;
  readonly policy: AccessPolicy;
  readonly settings: VolumeServiceSettings;
}

/** Who asks, and with which idempotency key (the header, or an event's key). */
export interface RequestContext {
  readonly caller: string;
  readonly idempotencyKey?: string | undefined;
}

export type CreateVolumeResult =
  | { readonly kind: 'accepted'; readonly volume: Volume }
  | { readonly kind: 'plan'; readonly plan: VolumePlan };

/** JSON with sorted keys, so two bodies that mean the same hash the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The volume id an idempotency key stands for: derived from caller and key, so concurrent
 * requests with one key race for one DynamoDB item and all get the same volume back.
 */
export function volumeIdForKey(caller: string, key: string): string {
  return `vol-${sha256(`${caller}\n${key}`).slice(0, 20)}`;
}

function serviceUnavailable(error: unknown): never {
  throw problems.unavailable(
    'a dependency is throttling or unavailable; retry with the same Idempotency-Key',
    error,
  );
}

/** Maps what the workflow modules throw to the API's problems. */
function asProblem(error: unknown): never {
  if (error instanceof ProblemError) throw error;
  if (error instanceof InvalidVolumeRequestError)
    throw problems.invalidRequest(error.message, error.problems);
  if (error instanceof ClusterNotFoundError) throw problems.clusterNotFound(error.message);
  if (error instanceof ClusterNotActiveError || error instanceof ClusterConfigurationError) {
    throw problems.clusterNotActive(error.message);
  }
  if (error instanceof InvalidListTokenError) throw problems.invalidRequest(error.message);
  if (
    error instanceof TransientError ||
    error instanceof KubernetesRequestError ||
    isTransientError(error)
  ) {
    serviceUnavailable(error);
  }
  throw error;
}

/** Checks before anything is created: cluster ACTIVE, namespace there, claim name free. */
async function preflight(
  deps: VolumeServiceDependencies,
  spec: { clusterName: string; namespace: string; name: string },
): Promise<ClusterTarget> {
  const cluster = await resolveCluster(deps, spec.clusterName);
  const reader = await deps.kubernetes(cluster);
  if (!(await reader.namespaceExists(spec.namespace)))
    throw problems.namespaceNotFound(spec.namespace);
  if (await reader.claimExists(spec.namespace, spec.name))
    throw problems.claimExists(spec.namespace, spec.name);
  return cluster;
}

async function startExecution(
  deps: VolumeServiceDependencies,
  arn: string,
  name: string,
  input: ProvisionInput,
) {
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
    );
  } catch (error) {
    // The same name with the same input is the same execution: a replay already started it.
    if (errorName(error) === 'ExecutionAlreadyExists') return;
    throw error;
  }
}

/** Answers a replayed idempotency key: the same volume for the same body, else 409. */
async function replay(
  deps: VolumeServiceDependencies,
  existing: VolumeRecord,
  requestHash: string,
  key: string,
): Promise<CreateVolumeResult> {
  if (existing.requestHash !== requestHash) throw problems.idempotencyKeyReused(key);
  if (existing.status === 'PENDING' && !existing.executionName) {
    // The first attempt recorded the volume but did not get to start it: finish the job.
    await startExecution(deps, deps.settings.provisionStateMachineArn, existing.id, {
      volumeId: existing.id,
      spec: existing.spec,
      executionName: existing.id,
    });
    await deps.records.setExecution(existing.id, existing.id);
    return { kind: 'accepted', volume: toVolume(await deps.records.require(existing.id)) };
  }
  return { kind: 'accepted', volume: toVolume(existing) };
}

/**
 * POST /volumes and the `Volume Provision Requested` event: validate, authorize, check the
 * cluster, record PENDING, start the provisioning workflow. With dryRun, only the plan.
 */
export async function createVolume(
  deps: VolumeServiceDependencies,
  body: unknown,
  context: RequestContext,
): Promise<CreateVolumeResult> {
  try {
    const spec = validateVolumeRequest(body, {
      allowRootPosixUser: deps.settings.allowRootPosixUser,
    });
    const decision = authorize(deps.policy, context.caller, spec.clusterName, spec.namespace);
    if (!decision.allowed) throw problems.forbidden(decision.reason);
    const requestHash = sha256(canonicalJson(body));
    const key = context.idempotencyKey;
    const volumeId = key ? volumeIdForKey(context.caller, key) : newVolumeId();
    if (key && !spec.dryRun) {
      const existing = await deps.records.get(volumeId);
      if (existing) return await replay(deps, existing, requestHash, key);
    }
    const cluster = await preflight(deps, spec);
    if (spec.dryRun) return { kind: 'plan', plan: planVolume(volumeId, spec, cluster) };
    try {
      await deps.records.create(volumeId, spec, {
        requestHash,
        caller: context.caller,
        ...(key ? { idempotencyKey: key } : {}),
      });
    } catch (error) {
      if (error instanceof VolumeRecordStateError && key) {
        return await replay(deps, await deps.records.require(volumeId), requestHash, key);
      }
      throw error;
    }
    try {
      await startExecution(deps, deps.settings.provisionStateMachineArn, volumeId, {
        volumeId,
        spec,
        executionName: volumeId,
      });
    } catch (error) {
      // With a key, a retry starts it (see replay); without one, say so on the record.
      if (!key) {
        await deps.records.setStatus(volumeId, 'FAILED', {
          error: {
            step: 'StartExecution',
            name: errorName(error),
            message: (error as Error).message ?? '',
          },
        });
      }
      throw error;
    }
    await deps.records.setExecution(volumeId, volumeId);
    return { kind: 'accepted', volume: toVolume(await deps.records.require(volumeId)) };
  } catch (error) {
    return asProblem(error);
  }
}

/** A volume the caller may see; 404 for one it may not, so ids of others do not leak. */
async function visibleRecord(
  deps: VolumeServiceDependencies,
  id: string,
  caller: string,
): Promise<VolumeRecord> {
  const record = await deps.records.get(id);
  if (!record || !authorize(deps.policy, caller, record.clusterName, record.namespace).allowed) {
    throw problems.volumeNotFound(id);
  }
  return record;
}

export async function getVolume(
  deps: VolumeServiceDependencies,
  id: string,
  caller: string,
): Promise<Volume> {
  try {
    return toVolume(await visibleRecord(deps, id, caller));
  } catch (error) {
    return asProblem(error);
  }
}

export async function listVolumes(
  deps: VolumeServiceDependencies,
  query: VolumeListQuery,
  caller: string,
): Promise<{ items: Volume[]; nextToken?: string }> {
  try {
    const page = await deps.records.list(query);
    return {
      items: page.items
        .filter(
          (record) => authorize(deps.policy, caller, record.clusterName, record.namespace).allowed,
        )
        .map(toVolume),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  } catch (error) {
    return asProblem(error);
  }
}

export async function volumeManifests(
  deps: VolumeServiceDependencies,
  id: string,
  caller: string,
): Promise<string> {
  try {
    const record = await visibleRecord(deps, id, caller);
    return renderManifests(record.id, record.spec, {
      fileSystemId: record.resources.fileSystemId,
      accessPointId: record.resources.accessPointId,
    });
  } catch (error) {
    return asProblem(error);
  }
}

const DELETABLE: readonly VolumeStatus[] = ['READY', 'FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'];

/**
 * DELETE /volumes/{id}: refuses while a pod uses the claim (unless `force`), then starts the
 * deprovisioning workflow. Deleting a volume that is being or has been deleted answers it as
 * it is. A FAILED or ROLLBACK_FAILED volume is cleaned up by the same workflow.
 */
export async function deleteVolume(
  deps: VolumeServiceDependencies,
  id: string,
  options: { caller: string; force: boolean },
): Promise<Volume> {
  try {
    const record = await visibleRecord(deps, id, options.caller);
    if (record.status === 'DELETING' || record.status === 'DELETED') return toVolume(record);
    if (!DELETABLE.includes(record.status)) {
      throw problems.volumeBusy(`volume ${id} is ${record.status}; delete it once that finishes`);
    }
    if (record.status === 'READY' && !options.force) {
      const cluster = await resolveCluster(deps, record.clusterName);
      const pods = await (await deps.kubernetes(cluster)).podsUsingClaim(
        record.namespace,
        record.name,
      );
      if (pods.length > 0) {
        throw problems.volumeInUse(
          `claim ${record.namespace}/${record.name} is used by pod(s) ${pods.join(', ')}; stop them or use ?force=true`,
        );
      }
    }
    const executionName = `${id}-delete-${randomBytes(4).toString('hex')}`;
    try {
      await deps.records.beginDeletion(id, DELETABLE, executionName);
    } catch (error) {
      if (error instanceof VolumeRecordStateError)
        throw problems.volumeBusy(`volume ${id} changed meanwhile; retry`);
      throw error;
    }
    // Only a volume that held data keeps it; a failed one never did.
    const held = record.status === 'READY' || record.status === 'DELETE_FAILED';
    try {
      await startExecution(deps, deps.settings.deprovisionStateMachineArn, executionName, {
        volumeId: id,
        spec: record.spec,
        operation: 'deprovision',
        executionName,
        retainFileSystem:
          record.spec.fileSystemId !== undefined ||
          (held && record.spec.reclaimPolicy === 'Retain'),
      });
    } catch (error) {
      // Not started: put the status back so the caller can simply retry the DELETE.
      await deps.records.setStatus(id, record.status);
      throw error;
    }
    return toVolume(await deps.records.require(id));
  } catch (error) {
    return asProblem(error);
  }
}
