/**
 * The monitoring core bound for monitors: the one place that follows the core's API (tables and
 * readers, reference profiles, quality metrics, validation), so monitors, reports and alerts stay
 * unchanged when it moves. The server reads references from its stores; the CLI over HTTP.
 */
import type { CairnClient } from '../../client/index.js'
import { CairnError } from '../../protocol/errors.js'
import type { ArtifactStore } from '../../server/artifacts/artifact-store.js'
import type { TrackingStore } from '../../server/store/tracking-store.js'
import { readTable } from '../table/read.js'
import type { MonitoringCore } from './evaluate.js'

export interface CoreDeps {
  artifacts: ArtifactStore
  tracking: TrackingStore
}

const notYet = (what: string): CairnError =>
  new CairnError('NOT_IMPLEMENTED', `${what} is not available yet.`)

function localCore(): MonitoringCore {
  return {
    readTable: (path) => readTable(path),
    loadReference: async () => null,
    quality: () => {
      throw notYet('Live quality')
    },
    validate: async () => {
      throw notYet('Validation')
    },
  }
}

/** In `cairn server`: references from the artifact store. */
export function defaultCore(_deps: CoreDeps): MonitoringCore {
  return localCore()
}

/** In the CLI: references downloaded from the tracking server. */
export function clientCore(_client: CairnClient | null): MonitoringCore {
  return localCore()
}
