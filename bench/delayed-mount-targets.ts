// Mount targets that take time to become available, in front of moto (whose mount targets are
// `available` at once): a real EFSClient talking to moto, with one middleware that rewrites
// DescribeMountTargets answers. A mount target moto reports `available` is shown as
// `creating` until `availableAfterMs` have passed on the given clock since it was created.
// Only the lifecycle state is changed; ids, subnets and every other field are moto's.
import { EFSClient, type MountTargetDescription } from '@aws-sdk/client-efs';

export interface MountTargetDelayOptions {
  /** How long after its creation a mount target reports `available`. */
  readonly availableAfterMs: number;
  /** The clock the delay runs on: real time, or a virtual clock that Wait states advance. */
  readonly now: () => Date;
}

export class DelayedMountTargets {
  readonly #createdAt = new Map<string, number>();
  readonly #options: MountTargetDelayOptions;
  /** The EFS client to give the CheckMountTargets step. */
  readonly client: EFSClient;

  constructor(options: MountTargetDelayOptions) {
    this.#options = options;
    this.client = new EFSClient({});
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { MountTargets?: MountTargetDescription[] };
        if (!Array.isArray(output.MountTargets)) return result;
        const now = this.#options.now().getTime();
        const MountTargets = output.MountTargets.map((target) => this.#asOf(target, now));
        return { ...result, output: { ...result.output, MountTargets } };
      },
      { step: 'initialize', name: 'benchDelayedMountTargets' },
    );
  }

  /** Starts the delay of these mount targets now (the first call for an id counts). */
  markCreated(mountTargetIds: readonly string[]): void {
    const now = this.#options.now().getTime();
    for (const id of mountTargetIds) if (!this.#createdAt.has(id)) this.#createdAt.set(id, now);
  }

  /** When the last of these mount targets becomes available, on the delay's clock (ms). */
  availableAt(mountTargetIds: readonly string[]): number | undefined {
    const times = mountTargetIds.map((id) => this.#createdAt.get(id));
    if (times.some((time) => time === undefined)) return undefined;
    return Math.max(...(times as number[])) + this.#options.availableAfterMs;
  }

  #asOf(target: MountTargetDescription, now: number): MountTargetDescription {
    const id = target.MountTargetId;
    if (!id || target.LifeCycleState !== 'available') return target;
    // Not created through a marked step (should not happen): its delay starts when first seen.
    if (!this.#createdAt.has(id)) this.#createdAt.set(id, now);
    const createdAt = this.#createdAt.get(id) ?? now;
    return now < createdAt + this.#options.availableAfterMs
      ? { ...target, LifeCycleState: 'creating' }
      : target;
  }
}

/**
 * Simulated time: real time plus every second the Wait states would have waited. The local
 * runner waits 0 ms; the check that asked for the wait advances this clock by its seconds.
 */
export class VirtualClock {
  #offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.#offsetMs);

  advance(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }

  /** Seconds added by waits so far. */
  get waitedSeconds(): number {
    return this.#offsetMs / 1000;
  }
}
