/** Tracking stores by URI scheme, loaded lazily so an unused backend's driver is never imported. */
import { fileURLToPath } from 'node:url'
import type { Clock, IdGenerator } from '../util/clock.js'
import type { TrackingStore } from './tracking-store.js'

export interface OpenStoreOptions {
  defaultArtifactRoot: string
  clock?: Clock
  ids?: IdGenerator
}

const KNOWN = ['sqlite:///<path>', 'sqlite:///:memory:']

/** `sqlite:///relative.db`, `sqlite:////abs/path.db` (MLflow/SQLAlchemy form), or `sqlite:///:memory:`. */
export function sqlitePath(uri: string): string {
  const rest = uri.slice('sqlite://'.length)
  if (rest === '/:memory:' || rest === ':memory:') return ':memory:'
  if (rest.startsWith('file:')) return fileURLToPath(rest)
  if (!rest.startsWith('/')) throw new Error(`invalid SQLite URI '${uri}': expected sqlite:///<path>`)
  const path = rest.slice(1)
  if (path === '') throw new Error(`invalid SQLite URI '${uri}': no path`)
  return path
}

export async function openTrackingStore(uri: string, opts: OpenStoreOptions): Promise<TrackingStore> {
  const scheme = uri.split(':', 1)[0]
  if (scheme === 'sqlite') {
    const { SqliteTrackingStore } = await import('./sqlite/sqlite-tracking-store.js')
    return new SqliteTrackingStore({ path: sqlitePath(uri), ...opts })
  }
  throw new Error(`unknown backend store URI scheme '${scheme}:' in '${uri}'; known: ${KNOWN.join(', ')}`)
}
