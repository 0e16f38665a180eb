/** What route modules get: the stores and settings, injected once by createApp. */
import type { Clock, IdGenerator } from '../../util/clock.js'
import type { TrackingStore } from '../../store/tracking-store.js'
import type { ArtifactStore } from '../../artifacts/artifact-store.js'

export interface RouteDeps {
  store: TrackingStore
  artifacts: ArtifactStore
  clock: Clock
  ids: IdGenerator
  version: string
}
