import { VOLUME_ID_TAG } from '../volume/names.ts';
import type { VolumeSpec } from '../volume/request.ts';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * The tags of every AWS resource of a volume: the caller's, then ours, which win, so a
 * caller cannot hide a resource from rollback by overriding the volume-id tag.
 */
export function volumeTags(volumeId: string, spec: VolumeSpec): Tag[] {
  const tags = new Map<string, string>(Object.entries(spec.tags));
  tags.set('Name', `${spec.clusterName}/${spec.namespace}/${spec.name}`);
  tags.set(VOLUME_ID_TAG, volumeId);
  tags.set('efs-volumes:cluster', spec.clusterName);
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}
