import type { EFSClient } from '@aws-sdk/client-efs';
import { eachAccessPoint } from '../aws/efs-listing.ts';
import { creatorOf, describeFileSystem } from '../aws/file-system.ts';
import { stackName } from '../aws/tags.ts';
import { problems } from '../problems/problem.ts';
import type { PathHolder } from '../volume/file-system-paths.ts';
import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeRecordStore } from '../volume/record.ts';
import type { VolumeSpec } from '../volume/request.ts';
import type { AccessPolicy } from './access-policy.ts';
import { mayReattach } from './access-policy.ts';

/** A directory of the file system that someone holds, and whether an access point serves it now. */
interface HeldPath {
  readonly path: string;
  readonly holder: PathHolder;
  readonly live: boolean;
}

/** `/a/b` and `/a/b/c` overlap (one opens the other), as do equal paths; `/a/b` and `/a/bc` do not. */
export function pathsOverlap(a: string, b: string): boolean {
  const directory = (path: string) => `${path.replace(/\/+$/, '')}/`;
  const [x, y] = [directory(a), directory(b)];
  return x.startsWith(y) || y.startsWith(x);
}

export interface SharedPathDependencies {
  readonly efs: EFSClient;
  readonly records: Pick<VolumeRecordStore, 'get' | 'paths'>;
  readonly policy: AccessPolicy;
}

/**
 * Every directory held on the file system: those recorded for volumes of this service (live or
 * deleted), those its access points serve now (the owner from the volume's record, unknown for
 * an access point that is not ours), and the directory of the volume that created it.
 */
async function heldPaths(
  deps: SharedPathDependencies,
  fileSystemId: string,
): Promise<{ held: HeldPath[]; version: number; creator: HeldPath | undefined }> {
  const recorded = await deps.records.paths().read(fileSystemId);
  const served = new Map<string, string | undefined>();
  await eachAccessPoint(
    deps.efs,
    (point) => {
      if (point.LifeCycleState === 'deleting' || point.LifeCycleState === 'deleted') return;
      const path = point.RootDirectory?.Path ?? '/';
      served.set(path, point.Tags?.find((tag) => tag.Key === VOLUME_ID_TAG)?.Value);
    },
    fileSystemId,
  );
  const held: HeldPath[] = Object.entries(recorded.paths).map(([path, holder]) => ({
    path,
    holder,
    live: served.has(path),
  }));
  for (const [path, volumeId] of served) {
    if (recorded.paths[path]) continue;
    const record = volumeId ? await deps.records.get(volumeId) : undefined;
    held.push({
      path,
      holder: { volumeId: volumeId ?? 'unknown', caller: record?.caller },
      live: true,
    });
  }
  let creator: HeldPath | undefined;
  const fileSystem = await describeFileSystem(deps.efs, fileSystemId);
  const creatorId = fileSystem ? creatorOf(fileSystem, stackName()) : undefined;
  const creatorRecord = creatorId ? await deps.records.get(creatorId) : undefined;
  if (creatorRecord) {
    const path = creatorRecord.spec.rootDirectory.path;
    creator = {
      path,
      holder: {
        volumeId: creatorRecord.id,
        caller: creatorRecord.caller,
        clusterName: creatorRecord.clusterName,
        namespace: creatorRecord.namespace,
      },
      live: served.has(path),
    };
    if (!held.some((entry) => entry.path === path)) held.push(creator);
  }
  return { held, version: recorded.version, creator };
}

/**
 * The directories of other owners the requested one would open or be opened by.
 *
 * @throws ProblemError 409 `path-in-use` when there are any, unless the request reattaches and
 *   may: a caller with `deleteOthers` for the namespace, and no access point serves them
 */
function refuseOverlaps(
  deps: SharedPathDependencies,
  spec: VolumeSpec,
  caller: string,
  held: readonly HeldPath[],
): void {
  const path = spec.rootDirectory.path;
  const others = held.filter(
    (entry) => pathsOverlap(entry.path, path) && (entry.holder.caller ?? '') !== caller,
  );
  if (others.length === 0) return;
  const named = others
    .map(
      (entry) =>
        `${entry.path} (volume ${entry.holder.volumeId}${entry.live ? ', in use' : ', deleted'})`,
    )
    .join(', ');
  if (spec.reattach) {
    if (others.some((entry) => entry.live)) {
      throw problems.pathInUse(
        `rootDirectory.path ${path} overlaps ${named} on ${spec.fileSystemId}: a directory an access point serves cannot be reattached`,
      );
    }
    if (mayReattach(deps.policy, caller, spec.clusterName, spec.namespace)) return;
    throw problems.forbidden(
      `reattaching ${named} on ${spec.fileSystemId} needs an ACCESS_POLICY rule for namespace ${spec.namespace} with "deleteOthers": true`,
    );
  }
  throw problems.pathInUse(
    `rootDirectory.path ${path} overlaps ${named} on ${spec.fileSystemId}, of another owner: choose another path, or, to take over a deleted volume's data, "reattach": true (needs "deleteOthers")`,
  );
}

/**
 * Checks that the volume's directory on a shared file system opens no other owner's data and
 * is opened by none: a path used by a volume of another owner, live or deleted, in this
 * cluster or another, is refused (409), unless reattached by a caller who may.
 */
export async function checkSharedPath(
  deps: SharedPathDependencies,
  spec: VolumeSpec,
  caller: string,
): Promise<void> {
  if (!spec.fileSystemId) return;
  const { held } = await heldPaths(deps, spec.fileSystemId);
  refuseOverlaps(deps, spec, caller, held);
}

/**
 * Takes the volume's directory on the shared file system for its owner, after the same check
 * as {@link checkSharedPath}, atomically: a concurrent volume taking an overlapping directory
 * makes one of the two read again and be refused. Also records the creating volume's own
 * directory the first time, so it stays its owner's after that volume is deleted.
 */
export async function takeSharedPath(
  deps: SharedPathDependencies,
  spec: VolumeSpec,
  caller: string,
  volumeId: string,
): Promise<void> {
  const fileSystemId = spec.fileSystemId;
  if (!fileSystemId) return;
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const { held, version, creator } = await heldPaths(deps, fileSystemId);
    refuseOverlaps(deps, spec, caller, held);
    const entries: Record<string, PathHolder> = {
      [spec.rootDirectory.path]: {
        volumeId,
        caller,
        clusterName: spec.clusterName,
        namespace: spec.namespace,
      },
    };
    if (creator && !(creator.path in entries)) entries[creator.path] = creator.holder;
    if (await deps.records.paths().write(fileSystemId, version, entries)) return;
  }
  throw problems.unavailable(
    `the directories of ${fileSystemId} keep changing; retry with the same Idempotency-Key`,
  );
}
