/**
 * SqliteScheduleStore: schedules, their leases and the compare-and-set on the last fire time.
 * Every write is an IMMEDIATE transaction: the write lock is taken before the row is read, which
 * is what makes the lease and the claim hold across processes sharing the database file.
 */
import { CairnError, notFound } from '../../../../protocol/errors.js'
import type { ScheduleRecord } from '../../../../protocol/pipeline-entities.js'
import type { ClaimFireInput, CreateScheduleInput, ScheduleStore } from '../../pipeline-store.js'
import { StatementCache } from '../context.js'
import type { SqliteDb } from '../db.js'
import { scheduleFromRow, type ScheduleRow } from './rows.js'

type Runner = ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown }

export class SqliteScheduleStore implements ScheduleStore {
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

  private row(name: string): ScheduleRow {
    const row = this.sql.get('SELECT * FROM schedules WHERE name = ?').get(name) as ScheduleRow | undefined
    if (!row) throw notFound(`Schedule '${name}' does not exist.`)
    return row
  }

  async createSchedule(input: CreateScheduleInput): Promise<ScheduleRecord> {
    return this.write(() => {
      if (this.sql.pluck('SELECT 1 FROM schedules WHERE name = ?').get(input.name) !== undefined) {
        throw new CairnError('RESOURCE_ALREADY_EXISTS', `Schedule '${input.name}' already exists.`)
      }
      this.sql
        .get(
          `INSERT INTO schedules (name, pipeline, spec, params, workdir, experiment_name, cron, timezone,
             max_concurrent, catchup, backend, created_time, updated_time, last_fire_time)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.name,
          input.pipeline,
          JSON.stringify(input.spec),
          JSON.stringify(input.params),
          input.workdir,
          input.experimentName,
          input.cron,
          input.timezone,
          input.maxConcurrent,
          input.catchup ? 1 : 0,
          input.backend,
          input.now,
          input.now,
          input.now,
        )
      return scheduleFromRow(this.row(input.name))
    })
  }

  async getSchedule(name: string): Promise<ScheduleRecord> {
    return scheduleFromRow(this.row(name))
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return (this.sql.get('SELECT * FROM schedules ORDER BY name').all() as ScheduleRow[]).map(scheduleFromRow)
  }

  async setPaused(name: string, paused: boolean, now: number): Promise<ScheduleRecord> {
    return this.write(() => {
      const row = this.row(name)
      if ((row.paused === 1) !== paused) {
        this.sql
          .get(
            `UPDATE schedules SET paused = ?, updated_time = ?,
               last_fire_time = CASE WHEN ? THEN last_fire_time ELSE max(last_fire_time, ?) END
             WHERE name = ?`,
          )
          .run(paused ? 1 : 0, now, paused ? 1 : 0, now, name)
      }
      return scheduleFromRow(this.row(name))
    })
  }

  async deleteSchedule(name: string): Promise<void> {
    this.write(() => {
      this.row(name)
      this.sql.get('DELETE FROM schedules WHERE name = ?').run(name)
    })
  }

  async acquireLease(name: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.write(() => {
      const info = this.sql
        .get(
          `UPDATE schedules SET lease_owner = ?, lease_until = ?
           WHERE name = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until <= ?)`,
        )
        .run(owner, until, name, owner, now)
      return info.changes === 1
    })
  }

  async releaseLeases(owner: string): Promise<void> {
    this.write(() =>
      this.sql
        .get('UPDATE schedules SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?')
        .run(owner),
    )
  }

  async claimFire(input: ClaimFireInput): Promise<boolean> {
    return this.write(() => {
      const info = this.sql
        .get(
          `UPDATE schedules SET last_fire_time = ?, fired_count = fired_count + ?,
             skipped_count = skipped_count + ?, updated_time = ?
           WHERE name = ? AND lease_owner = ? AND lease_until > ? AND last_fire_time = ? AND paused = 0`,
        )
        .run(
          input.fireTime,
          input.fired ? 1 : 0,
          input.skipped + (input.fired ? 0 : 1),
          input.now,
          input.name,
          input.owner,
          input.now,
          input.expected,
        )
      return info.changes === 1
    })
  }
}
