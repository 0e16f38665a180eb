/** Stores by URI scheme, loaded lazily so an unused backend's driver is never imported. */
import { fileURLToPath } from 'node:url'
import type { Clock, IdGenerator } from '../util/clock.js'
import type { MonitorStore } from './monitor-store.js'
import type { PipelineStore, ScheduleStore } from './pipeline-store.js'
import type { RegistryStore } from './registry-store.js'
import type { TrackingStore } from './tracking-store.js'

export interface OpenStoreOptions {
  defaultArtifactRoot: string
  clock?: Clock
  ids?: IdGenerator
  /** The registry's clock when it differs (the server gives it one that never repeats a millisecond). */
  registryClock?: Clock
}

/** The stores one backend URI opens: tracking and registry share the backend (and its connection). */
export interface Stores {
  tracking: TrackingStore
  registry: RegistryStore
  pipelines: PipelineStore
  schedules: ScheduleStore
  monitors: MonitorStore
  /** Closes them all. */
  close(): Promise<void>
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

function unknownScheme(uri: string): Error {
  const scheme = uri.split(':', 1)[0]
  return new Error(`unknown backend store URI scheme '${scheme}:' in '${uri}'; known: ${KNOWN.join(', ')}`)
}

export async function openStores(uri: string, opts: OpenStoreOptions): Promise<Stores> {
  if (uri.split(':', 1)[0] === 'sqlite') {
    const { openSqliteStores } = await import('./sqlite/open-sqlite-stores.js')
    const { registryClock, ...rest } = opts
    const { tracking, registry, pipelines, schedules, monitors } = openSqliteStores({
      path: sqlitePath(uri),
      ...rest,
      ...(registryClock ? { registryClock } : {}),
    })
    return {
      tracking,
      registry,
      pipelines,
      schedules,
      monitors,
      close: async () => {
        await registry.close()
        await tracking.close()
      },
    }
  }
  throw unknownScheme(uri)
}

export async function openTrackingStore(uri: string, opts: OpenStoreOptions): Promise<TrackingStore> {
  if (uri.split(':', 1)[0] === 'sqlite') {
    const { SqliteTrackingStore } = await import('./sqlite/sqlite-tracking-store.js')
    const { registryClock: _unused, ...rest } = opts
    return new SqliteTrackingStore({ path: sqlitePath(uri), ...rest })
  }
  throw unknownScheme(uri)
}
