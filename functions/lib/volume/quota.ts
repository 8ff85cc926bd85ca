// Quotas on live volumes: a counter item per cluster and namespace and per caller, in the
// volumes table, moved in the same DynamoDB transactions as the volume records (record.ts), so
// a count is exact under concurrency: a volume is counted when its record is written and
// uncounted, once, when it becomes DELETED or FAILED.
import type { components } from '../../generated/openapi-types.ts';
import { VolumeError } from '../errors.ts';
import { SETTINGS } from '../settings.ts';

/** A limit and its usage, as the plan and a 429 show it (openapi.yaml `QuotaUsage`). */
export type QuotaUsage = components['schemas']['QuotaUsage'];
export type QuotaScope = QuotaUsage['scope'];

/** The most live volumes each may hold. */
export interface VolumeLimits {
  /** Per cluster and namespace. @default 50 (MAX_VOLUMES_PER_NAMESPACE) */
  readonly volumesPerNamespace: number;
  /** Per caller principal, across clusters. @default 100 (MAX_VOLUMES_PER_CALLER) */
  readonly volumesPerCaller: number;
}

/** The limits when a caller names none: the declared defaults. */
export const DEFAULT_VOLUME_LIMITS: VolumeLimits = {
  volumesPerNamespace: SETTINGS.MAX_VOLUMES_PER_NAMESPACE.default,
  volumesPerCaller: SETTINGS.MAX_VOLUMES_PER_CALLER.default,
};

/** One counter a volume counts in: its item id, what it counts and under which limit. */
export interface QuotaCounter {
  readonly id: string;
  readonly scope: QuotaScope;
  /** `<cluster>/<namespace>`, or the caller's principal. */
  readonly subject: string;
}

/** The key of a counter item. */
export function quotaCounterId(scope: QuotaScope, subject: string): string {
  return `quota#${scope}#${subject}`;
}

/**
 * The counters a new volume counts in: its cluster and namespace, and its caller when known
 * (every request has one; a record written by other means counts in its namespace only).
 */
export function quotaCounters(
  spec: { readonly clusterName: string; readonly namespace: string },
  caller: string | undefined,
): QuotaCounter[] {
  const namespace = `${spec.clusterName}/${spec.namespace}`;
  return [
    { id: quotaCounterId('namespace', namespace), scope: 'namespace', subject: namespace },
    ...(caller === undefined
      ? []
      : [{ id: quotaCounterId('caller', caller), scope: 'caller' as const, subject: caller }]),
  ];
}

/** The limit of one scope. */
export function limitOf(limits: VolumeLimits, scope: QuotaScope): number {
  return scope === 'namespace' ? limits.volumesPerNamespace : limits.volumesPerCaller;
}

/**
 * A new volume would pass a limit: nothing was created. Declared here rather than in errors.ts:
 * it never crosses the state machine.
 */
export class QuotaExceededError extends VolumeError {
  override name = 'QuotaExceededError';
  readonly usage: QuotaUsage;
  constructor(usage: QuotaUsage, options?: ErrorOptions) {
    super(
      `${usage.scope === 'namespace' ? `namespace ${usage.subject}` : `caller ${usage.subject}`} has ${usage.usage} live volume(s), its limit is ${usage.limit}`,
      options,
    );
    this.usage = usage;
  }
}
