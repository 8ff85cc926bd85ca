export interface AccessPointResult {
  readonly accessPointId: string;
}
