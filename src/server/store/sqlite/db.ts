/** Opening a SQLite database the way Cairn needs it: WAL, foreign keys, migrations applied. */
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
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

/**
 * Checkpoints the WAL from a worker thread with its own connection, so the fsync a checkpoint
 * costs (milliseconds on this class of disk) never stalls the event loop. The writer's own
 * autocheckpoint stays on at a high mark as a backstop should the worker die.
 */
export interface Checkpointer {
  stop(): Promise<void>
}

const CHECKPOINTER_CODE = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 1000')
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.postMessage('stopped')
})
`

export function startCheckpointer(db: SqliteDb, path: string, intervalMs = 200): Checkpointer {
  db.pragma('wal_autocheckpoint = 20000')
  db.pragma('journal_size_limit = 67108864')
  const worker = new Worker(CHECKPOINTER_CODE, {
    eval: true,
    workerData: { path, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  })
  worker.unref()
  let stopped: Promise<void> | null = null
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolveStop) => {
        const done = (): void => {
          void worker.terminate().finally(() => resolveStop())
        }
        worker.once('message', done)
        worker.once('error', done)
        worker.once('exit', () => resolveStop())
        worker.postMessage('stop')
      })),
  }
}
