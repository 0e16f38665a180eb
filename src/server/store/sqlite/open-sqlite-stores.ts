/**
 * The SQLite backend's stores, opened together: the registry uses the tracking store's connection
 * (one database file, one writer, migrations applied once). Closing the tracking store closes both.
 */
import type { Clock } from '../../util/clock.js'
import { SqliteMonitorStore } from './monitors/sqlite-monitor-store.js'
import { SqlitePipelineStore } from './pipelines/sqlite-pipeline-store.js'
import { SqliteScheduleStore } from './pipelines/sqlite-schedule-store.js'
import { SqliteRegistryStore } from './registry/sqlite-registry-store.js'
import { SqliteTrackingStore, type SqliteTrackingStoreOptions } from './sqlite-tracking-store.js'

export interface SqliteStores {
  tracking: SqliteTrackingStore
  registry: SqliteRegistryStore
  pipelines: SqlitePipelineStore
  schedules: SqliteScheduleStore
  monitors: SqliteMonitorStore
}

export function openSqliteStores(opts: SqliteTrackingStoreOptions & { registryClock?: Clock }): SqliteStores {
  const { registryClock, ...trackingOptions } = opts
  const tracking = new SqliteTrackingStore(trackingOptions)
  const clock = registryClock ?? opts.clock
  const registry = new SqliteRegistryStore({ db: tracking.database, ...(clock ? { clock } : {}) })
  const pipelines = new SqlitePipelineStore(tracking.database)
  const schedules = new SqliteScheduleStore(tracking.database)
  const monitors = new SqliteMonitorStore(tracking.database)
  return { tracking, registry, pipelines, schedules, monitors }
}
