export interface AccessPointResult {
  readonly accessPointId: string;
}

/**
 * CreateAccessPoint on a restore before FindRestoreDirectory found the directory AWS Backup
 * restored into: nothing is made yet. The workflow calls it again once the directory is known.
 */
export interface DeferredAccessPoint {
  readonly deferredUntil: 'FindRestoreDirectory';
}
