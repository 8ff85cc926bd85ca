import { stringSetting } from '../settings.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * The tag naming the stack that created a resource. The functions' IAM policies require it
 * (its value the stack's name) on every create and on every resource they change or delete,
 * so two stacks in one account cannot touch each other's resources.
 */
export const STACK_TAG = 'efs-volumes:stack';

/**
 * The tag on a file system this service creates that records its creating volume's reclaim
 * policy (`Delete` or `Retain`). The creator's record may be deleted (or the creator deleted)
 * while later volumes still share the file system; the last of them to go reads the choice here.
 */
export const RECLAIM_POLICY_TAG = 'efs-volumes:reclaim-policy';

/**
 * The prefix of every tag a caller asks for: `{"team": "a"}` is tagged `caller:team=a`. A
 * caller can then never set a key the account uses for something else (an ABAC key that
 * other policies grant access by, or one of ours); the IAM policies enforce the key set with
 * `aws:TagKeys`.
 */
export const CALLER_TAG_PREFIX = 'caller:';

/** A stack without a name: the functions cannot tag what they create. */
export class StackNameMissingError extends Error {
  override readonly name = 'StackNameMissingError';
}

/**
 * The name of the stack these functions belong to, from `STACK_NAME` (the stack sets it;
 * local mode and the tests set their own).
 *
 * @throws StackNameMissingError when `STACK_NAME` is unset: IAM would refuse every create
 *   without the stack tag, so fail here with the reason instead.
 */
export function stackName(): string {
  const name = stringSetting('STACK_NAME');
  if (!name) throw new StackNameMissingError('STACK_NAME is not set: resources cannot be tagged');
  return name;
}

/**
 * The tags of every AWS resource of a volume: the caller's under {@link CALLER_TAG_PREFIX},
 * then ours (`Name`, volume id, cluster, stack), which a caller's can never override, so a
 * caller cannot hide a resource from rollback or move it to another stack.
 *
 * @param stack the stack's name. @default {@link stackName}()
 */
export function volumeTags(volumeId: string, spec: VolumeSpec, stack: string = stackName()): Tag[] {
  const tags = new Map<string, string>(
    Object.entries(spec.tags).map(([key, value]) => [`${CALLER_TAG_PREFIX}${key}`, value]),
  );
  tags.set('Name', `${spec.clusterName}/${spec.namespace}/${spec.name}`);
  tags.set(VOLUME_ID_TAG, volumeId);
  tags.set('efs-volumes:cluster', spec.clusterName);
  tags.set(STACK_TAG, stack);
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}
