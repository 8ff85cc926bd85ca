/**
 * The API verbs on stored objects (get, list, create, apply, patch, replace, delete), with the
 * server's order of work: identity checks, admission, defaults, validation, managed fields,
 * storage; then the controllers run until the cluster is quiet.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  addProtectionFinalizer,
  admitClaimResize,
  admitNewObject,
  type ObjectLookup,
  UNDELETABLE_NAMESPACES,
} from './admission.ts';
import { serverSideApply } from './apply.ts';
import { reconcileVolumeBinding } from './binding.ts';
import { type ClusterAccess, CONTROLLER_MANAGER, type Controller } from './controller.ts';
import { applyDefaults } from './defaults.ts';
import { hasPendingFinalizers, reconcileFinalizers } from './finalizers.ts';
import { type ManagerKey, recordUpdate } from './managed-fields.ts';
import { applyMergePatch } from './merge-patch.ts';
import {
  cloneObject,
  isJsonMap,
  isTerminating,
  type JsonMap,
  jsonEqual,
  type KubeObject,
  kubeTimestamp,
} from './objects.ts';
import {
  apiVersionOf,
  groupResourceOf,
  NAMESPACES,
  PERSISTENT_VOLUME_CLAIMS,
  type ResourceType,
} from './resources.ts';
import type { ObjectFilter } from './selectors.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  modifiedConflict,
  notFound,
} from './status.ts';
import type { ObjectStore } from './store.ts';
import { validateObject, validateUpdate } from './validation.ts';

export interface ObjectRef {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name: string;
}

export interface WriteOptions {
  readonly fieldManager: string;
  /** `dryRun=All`: everything but storing (and the controllers). */
  readonly dryRun: boolean;
}

export interface ApplyOptions extends WriteOptions {
  readonly force: boolean;
}

export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** Metadata only the server writes; whatever a client sends for these is ignored. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
] as const;

/** Carried from the stored object into its next version. */
const KEPT_METADATA = [
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

interface WriteRequest {
  readonly resource: ResourceType;
  readonly before: KubeObject | undefined;
  readonly next: KubeObject;
  /** Who is credited with an Update; undefined for Apply, whose managedFields are computed. */
  readonly updater: ManagerKey | undefined;
  /** User writes are validated and cannot change status; controller writes are trusted. */
  readonly byUser: boolean;
  readonly dryRun: boolean;
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Everything but metadata and status: what `generation` counts changes of. */
function specOf(object: KubeObject): JsonMap {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

export class ObjectApi {
  private readonly store: ObjectStore;
  private readonly now: () => Date;
  private readonly controllers: Controller[] = [reconcileVolumeBinding, reconcileFinalizers];
  private readonly lookup: ObjectLookup;
  private readonly cluster: ClusterAccess;

  constructor(store: ObjectStore, now: () => Date) {
    this.store = store;
    this.now = now;
    // Admission and the controllers read stored objects in place (frozen): reconciling after
    // every write copied every claim and volume of the cluster each time.
    this.lookup = (resource, namespace, name) => this.store.view(resource, namespace, name);
    this.cluster = {
      now,
      get: this.lookup,
      list: (resource, namespace) => this.store.listView(resource, namespace),
      update: (resource, next) => {
        const before = this.store.get(resource, next.metadata.namespace, next.metadata.name);
        if (!before) return;
        this.write({
          resource,
          before,
          next,
          updater: { manager: CONTROLLER_MANAGER, operation: 'Update' },
          byUser: false,
          dryRun: false,
        });
      },
      create: (resource, object) => {
        if (this.store.get(resource, object.metadata.namespace, object.metadata.name)) return;
        this.write({
          resource,
          before: undefined,
          next: object,
          updater: { manager: CONTROLLER_MANAGER, operation: 'Update' },
          byUser: false,
          dryRun: false,
        });
      },
      delete: (resource, namespace, name) => {
        if (this.store.get(resource, namespace, name)) {
          this.deleteStored({ resource, namespace, name }, { dryRun: false });
        }
      },
    };
  }

  /** Adds a controller; it runs after every stored write, with the others. */
  addController(controller: Controller): void {
    this.controllers.push(controller);
  }

  /**
   * Writes as a controller outside a request (one that waited for something, as the kubelet
   * does), then lets every controller react.
   */
  asController(change: (cluster: ClusterAccess) => void): void {
    change(this.cluster);
    this.reconcile();
  }

  get(ref: ObjectRef): KubeObject {
    const object = this.store.get(ref.resource, ref.namespace, ref.name);
    if (!object) throw notFound(ref.resource, ref.name);
    return object;
  }

  /** The stored object (terminating ones included), or undefined. */
  find(ref: ObjectRef): KubeObject | undefined {
    return this.store.get(ref.resource, ref.namespace, ref.name);
  }

  /** Whether the object is stored (terminating objects included). */
  exists(ref: ObjectRef): boolean {
    return this.find(ref) !== undefined;
  }

  list(
    resource: ResourceType,
    namespace: string | undefined,
    filter: ObjectFilter,
  ): { items: KubeObject[]; resourceVersion: string } {
    return {
      items: this.store.list(resource, namespace).filter(filter),
      resourceVersion: this.store.resourceVersion,
    };
  }

  /** Every stored object, for tests. */
  all(): KubeObject[] {
    return this.store.all();
  }

  /** POST to a collection. */
  create(
    resource: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const object = this.checkBody(resource, body, { namespace, name: undefined });
    if (object.metadata.resourceVersion) {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    const generateName = object.metadata.generateName;
    if (!object.metadata.name && typeof generateName === 'string' && generateName) {
      const suffix = Array.from(
        { length: 5 },
        () => GENERATE_NAME_ALPHABET[randomInt(GENERATE_NAME_ALPHABET.length)],
      ).join('');
      object.metadata.name = `${generateName}${suffix}`;
    }
    admitNewObject(resource, object, this.lookup);
    const written = this.write({
      resource,
      before: undefined,
      next: object,
      updater: { manager: options.fieldManager, operation: 'Update' },
      byUser: true,
      dryRun: options.dryRun,
    });
    return this.afterWrite(resource, written, options.dryRun);
  }

  /** PATCH with `application/apply-patch+yaml`. */
  apply(
    ref: ObjectRef,
    body: unknown,
    options: ApplyOptions,
  ): { object: KubeObject; created: boolean } {
    const applied = this.checkBody(ref.resource, body, ref, { typeMetaRequired: true });
    const existing = this.store.get(ref.resource, ref.namespace, ref.name);
    this.checkResourceVersion(ref, applied, existing);
    if (!existing) admitNewObject(ref.resource, applied, this.lookup);
    const merged = serverSideApply({
      resource: ref.resource,
      existing,
      applied,
      manager: options.fieldManager,
      force: options.force,
      time: kubeTimestamp(this.now()),
    });
    const written = this.write({
      resource: ref.resource,
      before: existing,
      next: merged,
      updater: undefined,
      byUser: true,
      dryRun: options.dryRun,
    });
    return { object: this.afterWrite(ref.resource, written, options.dryRun), created: !existing };
  }

  /** PATCH with a JSON merge patch (strategic merge patches are treated the same way). */
  mergePatch(ref: ObjectRef, patch: unknown, options: WriteOptions): KubeObject {
    if (!isJsonMap(patch)) throw badRequest('the patch must be a JSON object');
    const existing = this.get(ref);
    const patched = applyMergePatch(existing, patch);
    if (!isJsonMap(patched) || !isJsonMap(patched.metadata)) {
      throw badRequest('the patch removed the metadata of the object');
    }
    const next = { ...patched, apiVersion: existing.apiVersion, kind: existing.kind } as KubeObject;
    if (
      next.metadata.name !== ref.name ||
      next.metadata.namespace !== existing.metadata.namespace
    ) {
      throw badRequest('the patch may not change the name or namespace of the object');
    }
    const sentVersion = isJsonMap(patch.metadata) ? patch.metadata.resourceVersion : undefined;
    if (sentVersion !== undefined && sentVersion !== existing.metadata.resourceVersion) {
      throw modifiedConflict(ref.resource, ref.name);
    }
    const written = this.write({
      resource: ref.resource,
      before: existing,
      next,
      updater: { manager: options.fieldManager, operation: 'Update' },
      byUser: true,
      dryRun: options.dryRun,
    });
    return this.afterWrite(ref.resource, written, options.dryRun);
  }

  /** PUT of a whole object. */
  replace(ref: ObjectRef, body: unknown, options: WriteOptions): KubeObject {
    const object = this.checkBody(ref.resource, body, ref);
    const existing = this.get(ref);
    this.checkResourceVersion(ref, object, existing);
    const written = this.write({
      resource: ref.resource,
      before: existing,
      next: object,
      updater: { manager: options.fieldManager, operation: 'Update' },
      byUser: true,
      dryRun: options.dryRun,
    });
    return this.afterWrite(ref.resource, written, options.dryRun);
  }

  /** DELETE of one object: gone at once, or terminating while finalizers remain. */
  delete(ref: ObjectRef, options: DeleteOptions): KubeObject {
    if (ref.resource === NAMESPACES && UNDELETABLE_NAMESPACES.includes(ref.name)) {
      throw forbidden(NAMESPACES, ref.name, 'this namespace may not be deleted');
    }
    const deleted = this.deleteStored(ref, options);
    if (!options.dryRun) this.reconcile();
    return this.store.get(ref.resource, ref.namespace, ref.name) ?? deleted;
  }

  /** DELETE of a collection: every object the filter selects. */
  deleteCollection(
    resource: ResourceType,
    namespace: string | undefined,
    filter: ObjectFilter,
    options: DeleteOptions,
  ): KubeObject[] {
    return this.list(resource, namespace, filter)
      .items.filter(
        (object) =>
          resource !== NAMESPACES || !UNDELETABLE_NAMESPACES.includes(object.metadata.name),
      )
      .map((object) =>
        this.delete(
          { resource, namespace: object.metadata.namespace, name: object.metadata.name },
          { dryRun: options.dryRun },
        ),
      );
  }

  /** Creates an object as the API server itself (the built-in namespaces). */
  seed(resource: ResourceType, object: KubeObject): void {
    this.write({
      resource,
      before: undefined,
      next: object,
      updater: { manager: 'kube-apiserver', operation: 'Update' },
      byUser: true,
      dryRun: false,
    });
  }

  /**
   * The object a write request carries, with its identity checked against the URL.
   *
   * @throws KubeApiError BadRequest
   */
  private checkBody(
    resource: ResourceType,
    body: unknown,
    target: { readonly namespace?: string | undefined; readonly name: string | undefined },
    options: { readonly typeMetaRequired?: boolean } = {},
  ): KubeObject {
    if (!isJsonMap(body)) throw badRequest('the body of the request was not a JSON object');
    const object = cloneObject(body);
    const expectedVersion = apiVersionOf(resource);
    if (
      options.typeMetaRequired &&
      (object.apiVersion === undefined || object.kind === undefined)
    ) {
      throw badRequest('invalid object: apiVersion and kind must be set');
    }
    if (object.apiVersion !== undefined && object.apiVersion !== expectedVersion) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expectedVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== resource.kind) {
      throw badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${resource.kind})`,
      );
    }
    if (object.metadata !== undefined && !isJsonMap(object.metadata)) {
      throw badRequest('metadata must be an object');
    }
    const metadata: JsonMap = isJsonMap(object.metadata) ? object.metadata : {};
    if (resource.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== target.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = target.namespace;
    } else {
      delete metadata.namespace;
    }
    if (target.name !== undefined) {
      if (metadata.name !== undefined && metadata.name !== target.name) {
        throw badRequest(
          `the name of the object (${String(metadata.name)}) does not match the name on the URL (${target.name})`,
        );
      }
      metadata.name = target.name;
    }
    if (metadata.name !== undefined && typeof metadata.name !== 'string') {
      throw badRequest('metadata.name must be a string');
    }
    return {
      ...object,
      apiVersion: expectedVersion,
      kind: resource.kind,
      metadata: { ...metadata, name: typeof metadata.name === 'string' ? metadata.name : '' },
    };
  }

  /** A resourceVersion in a request body is a precondition. */
  private checkResourceVersion(
    ref: ObjectRef,
    sent: KubeObject,
    existing: KubeObject | undefined,
  ): void {
    const version = sent.metadata.resourceVersion;
    if (version === undefined || version === '') return;
    if (!existing) {
      throw conflict(
        ref.resource,
        ref.name,
        `Operation cannot be fulfilled on ${groupResourceOf(ref.resource)} "${ref.name}": the object does not exist, so resourceVersion ${version} cannot match`,
      );
    }
    if (version !== existing.metadata.resourceVersion) {
      throw modifiedConflict(ref.resource, ref.name);
    }
  }

  /** Defaults, validation, managed fields and storage of one new object version. */
  private write(request: WriteRequest): KubeObject {
    const { resource, before } = request;
    const next = cloneObject(request.next);
    const time = kubeTimestamp(this.now());
    for (const key of SERVER_METADATA) delete next.metadata[key];
    if (before) {
      const kept: Record<string, unknown> = next.metadata;
      for (const key of KEPT_METADATA) {
        if (before.metadata[key] !== undefined) kept[key] = before.metadata[key];
      }
    } else {
      next.metadata.uid = randomUUID();
      next.metadata.creationTimestamp = time;
      next.metadata.generation = 1;
    }
    if (request.byUser) {
      if (before?.status === undefined) delete next.status;
      else next.status = cloneObject(before.status);
    }
    applyDefaults(resource, next);
    if (request.updater) {
      next.metadata.managedFields = recordUpdate(
        before,
        next,
        request.updater,
        apiVersionOf(resource),
        time,
      );
    }
    if (!before && request.byUser) addProtectionFinalizer(resource, next);

    if (request.byUser) {
      const causes = [
        ...validateObject(resource, next),
        ...(before ? validateUpdate(resource, before, next) : []),
      ];
      if (causes.length > 0) throw invalid(resource, next.metadata.name, causes);
      if (before && resource === PERSISTENT_VOLUME_CLAIMS) {
        admitClaimResize(before, next, this.lookup);
      }
    }
    if (!before && this.store.get(resource, next.metadata.namespace, next.metadata.name)) {
      throw alreadyExists(resource, next.metadata.name);
    }

    if (before) {
      const comparable = (object: KubeObject) => ({
        ...object,
        metadata: { ...object.metadata, resourceVersion: undefined },
      });
      if (jsonEqual(comparable(before), comparable(next))) return before;
      if (!jsonEqual(specOf(before), specOf(next))) {
        next.metadata.generation = (before.metadata.generation ?? 1) + 1;
      }
    }
    if (request.dryRun) {
      if (before?.metadata.resourceVersion) {
        next.metadata.resourceVersion = before.metadata.resourceVersion;
      }
      return next;
    }
    if (isTerminating(next) && !hasPendingFinalizers(next)) {
      this.store.remove(resource, next.metadata.namespace, next.metadata.name);
      return next;
    }
    return this.store.put(resource, next);
  }

  /** Runs the controllers after a stored write and returns the object as it now is. */
  private afterWrite(resource: ResourceType, written: KubeObject, dryRun: boolean): KubeObject {
    if (dryRun) return written;
    this.reconcile();
    return this.store.get(resource, written.metadata.namespace, written.metadata.name) ?? written;
  }

  private deleteStored(ref: ObjectRef, options: DeleteOptions): KubeObject {
    const object = this.get(ref);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid !== undefined && uid !== object.metadata.uid) {
      throw conflict(
        ref.resource,
        ref.name,
        `Operation cannot be fulfilled on ${groupResourceOf(ref.resource)} "${ref.name}": Precondition failed: UID in precondition: ${uid}, UID in object meta: ${object.metadata.uid ?? ''}`,
      );
    }
    if (resourceVersion !== undefined && resourceVersion !== object.metadata.resourceVersion) {
      throw modifiedConflict(ref.resource, ref.name);
    }
    if (options.dryRun) return object;
    if (!hasPendingFinalizers(object)) {
      this.store.remove(ref.resource, ref.namespace, ref.name);
      return object;
    }
    if (isTerminating(object)) return object;
    const terminating = cloneObject(object);
    terminating.metadata.deletionTimestamp = kubeTimestamp(this.now());
    terminating.metadata.deletionGracePeriodSeconds = 0;
    if (ref.resource === NAMESPACES) {
      terminating.status = {
        ...(isJsonMap(object.status) ? object.status : {}),
        phase: 'Terminating',
      };
    }
    return this.store.put(ref.resource, terminating);
  }

  /** Runs every controller until a whole pass changes nothing. */
  private reconcile(): void {
    for (let pass = 0; pass < 50; pass += 1) {
      const revision = this.store.resourceVersion;
      for (const controller of this.controllers) controller(this.cluster);
      if (this.store.resourceVersion === revision) return;
    }
  }
}
