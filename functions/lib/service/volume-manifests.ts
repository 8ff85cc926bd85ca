// GET /volumes/{id}/manifests, apart from the other reads: the manifests and their YAML would
// otherwise be in the bundles of GET /volumes and GET /volumes/{id} too.
import { renderManifests } from '../kube/manifests-yaml.ts';
import { asProblem } from './service-errors.ts';
import { type ReadDependencies, visibleRecord } from './volume-access.ts';

/** The storage manifests of a volume the caller may see, as the YAML `kubectl apply` takes. */
export async function volumeManifests(
  deps: ReadDependencies,
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
