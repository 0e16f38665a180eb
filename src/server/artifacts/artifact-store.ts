/**
 * Artifact stores, chosen by URI scheme (`file:`, later `s3:`). PLACEHOLDER interface: the
 * artifact commit fills in listing, streaming upload/download and deletion.
 */
export interface ArtifactStore {
  readonly scheme: string
  /** Throws INVALID_PARAMETER_VALUE for an artifact location an experiment may not use. */
  validateLocation(uri: string): void
}
