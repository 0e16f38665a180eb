/**
 * SqliteMonitorStore: monitors, their leases, fire-time and alert claims. Writes are IMMEDIATE
 * transactions (the write lock is taken before the row is read), so claims hold across processes
 * sharing the database file, as in SqliteScheduleStore.
 */
import { CairnError, notFound } from '../../../../protocol/errors.js'
import type { MonitorLastRun, MonitorRecord, MonitorStore } from '../../monitor-store.js'
import { StatementCache } from '../context.js'
import type { SqliteDb } from '../db.js'

interface MonitorRow {
  name: string
  spec: string
  paused: number
  created_time: number
  updated_time: number
  last_fire_time: number
  last_run_id: string | null
  last_status: string | null
  last_run_time: number | null
  last_summary: string | null
  last_alert_time: number | null
}

function fromRow(r: MonitorRow): MonitorRecord {
  return {
    name: r.name,
    spec: JSON.parse(r.spec) as unknown,
    paused: r.paused === 1,
    createdTime: r.created_time,
    updatedTime: r.updated_time,
    lastFireTime: r.last_fire_time,
    lastRun:
      r.last_run_id !== null
        ? {
            runId: r.last_run_id,
            status: r.last_status ?? '',
            time: r.last_run_time ?? 0,
            summary: r.last_summary ? (JSON.parse(r.last_summary) as Record<string, number>) : {},
          }
        : null,
    lastAlertTime: r.last_alert_time,
  }
}

type Runner = ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown }

export class SqliteMonitorStore implements MonitorStore {
  readonly kind = 'sqlite'
  private readonly sql: StatementCache
  private readonly tx: Runner

  constructor(db: SqliteDb) {
    this.sql = new StatementCache(db)
    this.tx = db.transaction((fn: () => unknown) => fn())
  }

  private write<T>(fn: () => T): T {
    return this.tx.immediate(fn) as T
  }

  private row(name: string): MonitorRow {
    const row = this.sql.get('SELECT * FROM monitors WHERE name = ?').get(name) as MonitorRow | undefined
    if (!row) throw notFound(`Monitor '${name}' does not exist.`)
    return row
  }

  async createMonitor(input: { name: string; spec: unknown; now: number }): Promise<MonitorRecord> {
    return this.write(() => {
      if (this.sql.pluck('SELECT 1 FROM monitors WHERE name = ?').get(input.name) !== undefined) {
        throw new CairnError('RESOURCE_ALREADY_EXISTS', `Monitor '${input.name}' already exists.`)
      }
      this.sql
        .get(
          `INSERT INTO monitors (name, spec, created_time, updated_time, last_fire_time)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(input.name, JSON.stringify(input.spec), input.now, input.now, input.now)
      return fromRow(this.row(input.name))
    })
  }

  async getMonitor(name: string): Promise<MonitorRecord> {
    return fromRow(this.row(name))
  }

  async listMonitors(): Promise<MonitorRecord[]> {
    return (this.sql.get('SELECT * FROM monitors ORDER BY name').all() as MonitorRow[]).map(fromRow)
  }

  async setPaused(name: string, paused: boolean, now: number): Promise<MonitorRecord> {
    return this.write(() => {
      const row = this.row(name)
      if ((row.paused === 1) !== paused) {
        this.sql
          .get(
            `UPDATE monitors SET paused = ?, updated_time = ?,
               last_fire_time = CASE WHEN ? THEN last_fire_time ELSE max(last_fire_time, ?) END
             WHERE name = ?`,
          )
          .run(paused ? 1 : 0, now, paused ? 1 : 0, now, name)
      }
      return fromRow(this.row(name))
    })
  }

  async deleteMonitor(name: string): Promise<void> {
    this.write(() => {
      this.row(name)
      this.sql.get('DELETE FROM monitors WHERE name = ?').run(name)
    })
  }

  async acquireLease(name: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.write(() => {
      const info = this.sql
        .get(
          `UPDATE monitors SET lease_owner = ?, lease_until = ?
           WHERE name = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until <= ?)`,
        )
        .run(owner, until, name, owner, now)
      return info.changes === 1
    })
  }

  async releaseLeases(owner: string): Promise<void> {
    this.write(() =>
      this.sql
        .get('UPDATE monitors SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?')
        .run(owner),
    )
  }

  async claimFire(input: {
    name: string
    owner: string
    expected: number
    fireTime: number
    now: number
  }): Promise<boolean> {
    return this.write(() => {
      const info = this.sql
        .get(
          `UPDATE monitors SET last_fire_time = ?
           WHERE name = ? AND lease_owner = ? AND lease_until > ? AND last_fire_time = ? AND paused = 0`,
        )
        .run(input.fireTime, input.name, input.owner, input.now, input.expected)
      return info.changes === 1
    })
  }

  async recordRun(name: string, run: MonitorLastRun): Promise<void> {
    this.write(() =>
      this.sql
        .get(
          `UPDATE monitors SET last_run_id = ?, last_status = ?, last_run_time = ?, last_summary = ?
           WHERE name = ? AND (last_run_time IS NULL OR last_run_time <= ?)`,
        )
        .run(run.runId, run.status, run.time, JSON.stringify(run.summary), name, run.time),
    )
  }

  async claimAlert(name: string, now: number, cooldownMs: number): Promise<boolean> {
    return this.write(() => {
      const info = this.sql
        .get(
          `UPDATE monitors SET last_alert_time = ?
           WHERE name = ? AND (last_alert_time IS NULL OR last_alert_time <= ?)`,
        )
        .run(now, name, now - cooldownMs)
      return info.changes === 1
    })
  }
}
