import type { VolumeSpec } from '../volume/request.ts';
import { buildVolumeManifests } from './manifests.ts';
import { toYaml } from './yaml.ts';

/** Stands for an id that is not known yet (a dry run, or before the step that creates it). */
export const PENDING_FILE_SYSTEM_ID = '<fileSystemId>';
export const PENDING_ACCESS_POINT_ID = '<accessPointId>';

/**
 * The manifests of a volume as one multi-document YAML stream, in apply order, for GitOps
 * users and dry runs. Written by ./yaml.ts, what js-yaml's `dump` writes for them, without
 * js-yaml's 44 kB in the API bundles.
 */
export function renderManifests(
  volumeId: string,
  spec: VolumeSpec,
  ids: { fileSystemId?: string | undefined; accessPointId?: string | undefined } = {},
): string {
  const manifests = buildVolumeManifests({
    volumeId,
    spec,
    fileSystemId: ids.fileSystemId ?? PENDING_FILE_SYSTEM_ID,
    accessPointId: ids.accessPointId ?? PENDING_ACCESS_POINT_ID,
  });
  return Object.values(manifests)
    .map((manifest) => toYaml(manifest))
    .join('---\n');
}
