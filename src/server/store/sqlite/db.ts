/** Opening a SQLite database the way Cairn needs it: WAL, foreign keys, migrations applied. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Migration } from './migrations.js'

export type SqliteDb = Database.Database

export interface OpenSqliteOptions {
  /** File path, or ':memory:'. */
  path: string
  migrations: readonly Migration[]
}

export function openSqlite({ path, migrations }: OpenSqliteOptions): SqliteDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  // WAL: readers never block the writer. synchronous=NORMAL: a commit survives a process
  // crash (SIGKILL) — the WAL is in the OS page cache — and only an OS crash or power loss
  // can drop the last transactions; the reliability test checks the SIGKILL case.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.pragma('cache_size = -65536') // 64 MiB page cache
  db.pragma('temp_store = MEMORY')
  // MLflow's LIKE is case-sensitive; ILIKE is compiled to lower(x) LIKE lower(pattern).
  db.pragma('case_sensitive_like = ON')
  migrate(db, migrations)
  return db
}

export function migrate(db: SqliteDb, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0)
  if (current > latest) {
    throw new Error(
      `database schema version ${current} is newer than this Cairn understands (${latest}); upgrade Cairn`,
    )
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}
