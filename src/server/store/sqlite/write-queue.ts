/**
 * Group commit. Writes that arrive in the same event-loop turn (concurrent requests) run in one
 * SQLite transaction, each inside its own savepoint, so one failing write rolls back alone and
 * the others commit together. On this class of machine a commit costs several write and lock
 * syscalls; sharing them is what lets concurrent clients scale. A write's promise settles only
 * after the shared commit, so an acknowledged write is durable (WAL, synchronous=NORMAL).
 */
import type { SqliteDb } from './db.js'

interface Pending {
  fn: () => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

export class WriteQueue {
  private pending: Pending[] = []
  private scheduled = false
  private readonly runAll: (ops: Pending[]) => Outcome[]

  constructor(db: SqliteDb) {
    const savepoint = db.transaction((fn: () => unknown) => fn())
    this.runAll = db.transaction((ops: Pending[]) =>
      ops.map((op): Outcome => {
        try {
          // Nested in the outer transaction, better-sqlite3 runs this as a SAVEPOINT.
          return { ok: true, value: savepoint(op.fn) }
        } catch (error) {
          return { ok: false, error }
        }
      }),
    )
  }

  /** Runs `fn` (synchronous SQL) in the next group commit. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    const ops = this.pending
    this.pending = []
    let outcomes: Outcome[]
    try {
      outcomes = this.runAll(ops)
    } catch (err) {
      // The commit itself failed: nothing of this group is stored.
      for (const op of ops) op.reject(err)
      return
    }
    outcomes.forEach((o, i) => (o.ok ? ops[i]!.resolve(o.value) : ops[i]!.reject(o.error)))
  }
}
