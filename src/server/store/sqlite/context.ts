/** What every SQLite repository shares: the connection, the clock, ids, and interned metric keys. */
import type { Clock, IdGenerator } from '../../util/clock.js'
import type Database from 'better-sqlite3'
import type { SqliteDb } from './db.js'

export interface SqliteContext {
  db: SqliteDb
  clock: Clock
  ids: IdGenerator
  /** Prefix for new experiments' artifact locations, e.g. "mlflow-artifacts:" → "mlflow-artifacts:/3". */
  defaultArtifactRoot: string
  metricKeys: MetricKeyCache
  /** Prepared statements by SQL text, prepared once: preparing costs more than running. */
  sql: StatementCache
}

type Statement = Database.Statement<unknown[], unknown>

/**
 * Statements by SQL text, one cache per result mode: better-sqlite3's `.raw()` and `.pluck()`
 * change a statement object for good, so a shared object must never switch modes.
 */
export class StatementCache {
  private readonly plain = new Map<string, Statement>()
  private readonly raws = new Map<string, Statement>()
  private readonly plucks = new Map<string, Statement>()

  constructor(private readonly db: SqliteDb) {}

  /** Rows as objects. */
  get(sql: string): Statement {
    let s = this.plain.get(sql)
    if (!s) this.plain.set(sql, (s = this.db.prepare(sql)))
    return s
  }

  /** Rows as arrays (faster for wide reads). */
  raw(sql: string): Statement {
    let s = this.raws.get(sql)
    if (!s) this.raws.set(sql, (s = this.db.prepare(sql).raw()))
    return s
  }

  /** The first column only. */
  pluck(sql: string): Statement {
    let s = this.plucks.get(sql)
    if (!s) this.plucks.set(sql, (s = this.db.prepare(sql).pluck()))
    return s
  }
}

/**
 * Metric keys are interned to integers. Ids never change once assigned, so a cache is safe
 * even with several processes on one database.
 */
export class MetricKeyCache {
  private readonly ids = new Map<string, number>()
  private readonly insert
  private readonly select

  constructor(db: SqliteDb) {
    this.insert = db.prepare('INSERT OR IGNORE INTO metric_keys (key) VALUES (?)')
    this.select = db.prepare('SELECT key_id FROM metric_keys WHERE key = ?').pluck()
  }

  /** The id of a key, creating it. Call inside a write transaction. */
  intern(key: string): number {
    const cached = this.ids.get(key)
    if (cached !== undefined) return cached
    this.insert.run(key)
    const id = this.select.get(key) as number
    this.ids.set(key, id)
    return id
  }

  /** The id of a key if any run ever logged it. */
  lookup(key: string): number | undefined {
    const cached = this.ids.get(key)
    if (cached !== undefined) return cached
    const id = this.select.get(key) as number | undefined
    if (id !== undefined) this.ids.set(key, id)
    return id
  }
}
