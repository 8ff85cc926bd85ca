// How long AWS takes, in AWS's seconds: the AWS model paces local mode with these (times its
// time scale), and the bench draws mount-target times from the same distribution.

/**
 * A duration in seconds: a fixed number, or uniform between `min` and `max` with, for a
 * `tail.share` of draws, an exponential tail above `max` (mean `tail.meanSeconds` more,
 * capped at `tail.maxSeconds`); of those, a `tail.rare.share` are uniform between
 * `tail.rare.minSeconds` and `tail.rare.maxSeconds` instead.
 */
export type Duration =
  | number
  | {
      readonly min: number;
      readonly max: number;
      readonly tail?: {
        readonly share: number;
        readonly meanSeconds: number;
        readonly maxSeconds: number;
        readonly rare?: {
          readonly share: number;
          readonly minSeconds: number;
          readonly maxSeconds: number;
        };
      };
    };

export type LifecycleDurationName =
  | 'fileSystemCreating'
  | 'mountTargetCreating'
  | 'mountTargetDeleting'
  | 'accessPointCreating'
  | 'clusterUpdating'
  | 'restoreJobRunning';

/**
 * What AWS shows: a file system is `available` within seconds; a mount target takes about
 * 60–90 s, about one in ten takes minutes, and a few in a thousand take 10 to 30 minutes
 * (users report over ten; the Terraform AWS provider waits up to 30); deleting one takes about a minute (its
 * network interface goes last); an access point is `available` in a second or two. An EKS
 * cluster stays `UPDATING` for minutes after UpdateClusterConfig or UpdateClusterVersion (a
 * logging change a few, a version upgrade up to about ten). An AWS Backup restore job runs for
 * minutes (assumed, not measured).
 */
export const AWS_DURATIONS: Readonly<Record<LifecycleDurationName, Duration>> = {
  fileSystemCreating: { min: 3, max: 10 },
  mountTargetCreating: {
    min: 60,
    max: 90,
    tail: {
      share: 0.1,
      meanSeconds: 90,
      maxSeconds: 600,
      rare: { share: 0.03, minSeconds: 600, maxSeconds: 1800 },
    },
  },
  mountTargetDeleting: { min: 45, max: 90 },
  accessPointCreating: { min: 1, max: 3 },
  clusterUpdating: { min: 120, max: 600 },
  // AWS publishes no restore time; an assumption of minutes for a small file system, paced
  // like the rest (and to be replaced by a measured figure when one is taken).
  restoreJobRunning: { min: 120, max: 480 },
};

/** Draws one duration in seconds with `random` (uniform in [0, 1)). */
export function drawSeconds(duration: Duration, random: () => number): number {
  if (typeof duration === 'number') return duration;
  const { min, max, tail } = duration;
  if (tail && random() < tail.share) {
    const { rare } = tail;
    if (rare && random() < rare.share) {
      return rare.minSeconds + (rare.maxSeconds - rare.minSeconds) * random();
    }
    // Inverse transform of the exponential: -mean * ln(1 - u).
    const extra = -tail.meanSeconds * Math.log(1 - random());
    return Math.min(max + extra, tail.maxSeconds);
  }
  return min + (max - min) * random();
}
