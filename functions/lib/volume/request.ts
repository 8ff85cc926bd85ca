import type { components } from '../../generated/openapi-types.ts';
import { validateVolumeRequest as compiledValidator } from '../../generated/validators/volume-request.ts';
import { InvalidVolumeRequestError } from '../errors.ts';
import type { CompiledValidator, ValidationError } from '../problems/validation-errors.ts';
import { DEFAULT_STORAGE_CLASS } from './names.ts';

/** A request as the caller sent it (openapi.yaml `VolumeRequest`). */
export type VolumeRequest = components['schemas']['VolumeRequest'];
type Schema = components['schemas'];

/** A request after validation, with every default filled in: what the workflow acts on. */
export type VolumeSpec = Schema['VolumeSpec'];

export interface ValidationOptions {
  /** Allow uid or gid 0 (root) for the access point's POSIX user. @default false */
  readonly allowRootPosixUser?: boolean;
  /** A request's `verifyMount` when it names none: the stack's VERIFY_MOUNT. @default false */
  readonly verifyMount?: boolean;
}

export interface Problem {
  readonly field: string;
  readonly message: string;
}

// Compiled from openapi.yaml at build time (npm run generate): no ajv and no compile at cold start.
const validateSchema = compiledValidator as CompiledValidator;

function problemOf(error: ValidationError): Problem {
  const pointer = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return { field: pointer ? `${pointer}.${missing}` : missing, message: 'is required' };
  }
  if (
    error.keyword === 'propertyNames' ||
    (error.params as { propertyName?: string }).propertyName
  ) {
    const key = String((error.params as { propertyName?: string }).propertyName ?? '');
    return { field: pointer ? `${pointer}.${key}` : key, message: 'is not an allowed key' };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params.additionalProperty);
    return { field: pointer ? `${pointer}.${extra}` : extra, message: 'is not a known field' };
  }
  return { field: pointer || '(body)', message: error.message ?? 'is invalid' };
}

/** EFS limits on an access point's root directory (CreateAccessPoint `RootDirectory.Path`). */
export const MAX_PATH_LENGTH = 100;
export const MAX_PATH_DEPTH = 4;

/**
 * Checks a root directory path that already matched the schema's pattern (or the default
 * `/<namespace>/<name>`), so a request EFS would refuse fails before anything is created.
 */
function pathProblems(path: string, given: boolean): Problem[] {
  const field = 'rootDirectory.path';
  const segments = path.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return [{ field, message: 'must not contain "." or ".." segments' }];
  }
  const problems: Problem[] = [];
  if (segments.some((segment) => segment.startsWith('.'))) {
    problems.push({ field, message: 'must not have a directory whose name starts with "."' });
  }
  if (segments.length > MAX_PATH_DEPTH) {
    problems.push({ field, message: `must have at most ${MAX_PATH_DEPTH} directories` });
  }
  if (path.length > MAX_PATH_LENGTH) {
    problems.push({
      field,
      message: given
        ? `must be at most ${MAX_PATH_LENGTH} characters`
        : `defaults to /<namespace>/<name>, which is over ${MAX_PATH_LENGTH} characters here: give a shorter one`,
    });
  }
  return problems;
}

/**
 * Validates a request against openapi.yaml and the rules a schema cannot say, and fills
 * in the defaults.
 *
 * @throws InvalidVolumeRequestError listing every problem, before anything is created
 */
export function validateVolumeRequest(input: unknown, options: ValidationOptions = {}): VolumeSpec {
  if (!validateSchema(input)) {
    const problems = (validateSchema.errors ?? []).map(problemOf);
    throw new InvalidVolumeRequestError(describe(problems), problems);
  }
  const request = input as VolumeRequest;
  const problems: Problem[] = [];
  const uid = request.posixUser?.uid ?? 1000;
  const gid = request.posixUser?.gid ?? 1000;
  const secondaryGids = request.posixUser?.secondaryGids ?? [];
  if (!options.allowRootPosixUser) {
    if (uid === 0) problems.push({ field: 'posixUser.uid', message: 'must not be 0 (root)' });
    if (gid === 0) problems.push({ field: 'posixUser.gid', message: 'must not be 0 (root)' });
    if (secondaryGids.includes(0)) {
      problems.push({ field: 'posixUser.secondaryGids', message: 'must not contain 0 (root)' });
    }
  }
  // On a shared file system every cluster and namespace has its own directory.
  const path =
    request.rootDirectory?.path ??
    (request.fileSystemId !== undefined
      ? `/${request.clusterName}/${request.namespace}/${request.name}`
      : `/${request.namespace}/${request.name}`);
  problems.push(...pathProblems(path, request.rootDirectory?.path !== undefined));
  const throughputMode = request.throughputMode ?? 'elastic';
  if (throughputMode === 'provisioned' && request.provisionedThroughputInMibps === undefined) {
    problems.push({
      field: 'provisionedThroughputInMibps',
      message: 'is required when throughputMode is provisioned',
    });
  }
  if (throughputMode !== 'provisioned' && request.provisionedThroughputInMibps !== undefined) {
    problems.push({
      field: 'provisionedThroughputInMibps',
      message: 'is only allowed when throughputMode is provisioned',
    });
  }
  if (request.reattach === true && request.fileSystemId === undefined) {
    problems.push({ field: 'reattach', message: 'applies to a shared file system (fileSystemId)' });
  }
  if (request.fileSystemId !== undefined) {
    for (const field of ['performanceMode', 'throughputMode', 'backup'] as const) {
      if (request[field] !== undefined) {
        problems.push({ field, message: 'applies to a new file system, not to fileSystemId' });
      }
    }
  }
  if (request.restoreFrom !== undefined) {
    // The restored files keep their owner, mode and place: the source volume's, filled in by
    // the service (functions/lib/service/restore.ts) once it has read that volume.
    const sourceFields = [
      'rootDirectory',
      'posixUser',
      'performanceMode',
      'throughputMode',
      'provisionedThroughputInMibps',
      'backup',
      'fileSystemId',
    ] as const;
    for (const field of sourceFields) {
      if (request[field] !== undefined) {
        problems.push({
          field,
          message: "is not allowed with restoreFrom: the restored volume's is its source's",
        });
      }
    }
  }
  if (problems.length > 0) throw new InvalidVolumeRequestError(describe(problems), problems);

  return {
    clusterName: request.clusterName,
    namespace: request.namespace,
    name: request.name,
    posixUser: { uid, gid, secondaryGids },
    rootDirectory: { path, permissions: normalizePermissions(request.rootDirectory?.permissions) },
    performanceMode: request.performanceMode ?? 'generalPurpose',
    throughputMode,
    ...(request.provisionedThroughputInMibps !== undefined
      ? { provisionedThroughputInMibps: request.provisionedThroughputInMibps }
      : {}),
    capacity: request.capacity ?? '5Gi',
    reclaimPolicy: request.reclaimPolicy ?? 'Retain',
    storageClassName: request.storageClassName ?? DEFAULT_STORAGE_CLASS,
    ...(request.fileSystemId !== undefined
      ? { fileSystemId: request.fileSystemId, ...(request.reattach ? { reattach: true } : {}) }
      : request.restoreFrom !== undefined
        ? {
            // '' until the service fills them in (functions/lib/service/restore.ts): the
            // source's file system from its record, and the source itself, when the request
            // names only the recovery point, from the recovery point's file system.
            restoreFrom: {
              recoveryPointArn: request.restoreFrom.recoveryPointArn,
              volumeId: request.restoreFrom.volumeId ?? '',
              fileSystemId: '',
            },
          }
        : { backup: request.backup ?? true }),
    // Only when asked: a spec without it reads as the specs recorded before it existed.
    ...((request.verifyMount ?? options.verifyMount ?? false) ? { verifyMount: true } : {}),
    tags: request.tags ?? {},
    dryRun: request.dryRun ?? false,
  };
}

/** EFS wants a 3- or 4-digit octal string; "750" and "0750" mean the same. */
function normalizePermissions(permissions: string | undefined): string {
  const digits = permissions ?? '0750';
  return digits.length === 3 ? `0${digits}` : digits;
}

function describe(problems: readonly Problem[]): string {
  return `invalid volume request: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;
}
