import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { WriteQueue } from './write-queue.js'

function db(): Database.Database {
  const d = new Database(':memory:')
  d.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  return d
}

describe('WriteQueue (group commit)', () => {
  it('commits writes issued in the same turn together, in order', async () => {
    const d = db()
    const q = new WriteQueue(d)
    const insert = d.prepare('INSERT INTO t VALUES (?)')
    const results = await Promise.all(['a', 'b', 'c'].map((k) => q.run(() => insert.run(k).changes)))
    expect(results).toEqual([1, 1, 1])
    expect(d.prepare('SELECT k FROM t ORDER BY rowid').pluck().all()).toEqual(['a', 'b', 'c'])
  })

  it('rolls back a failing write alone and commits the others', async () => {
    const d = db()
    const q = new WriteQueue(d)
    const insert = d.prepare('INSERT INTO t VALUES (?)')
    const outcomes = await Promise.allSettled([
      q.run(() => insert.run('x')),
      q.run(() => {
        insert.run('y')
        insert.run('x') // duplicate key: this write fails after a partial insert
      }),
      q.run(() => insert.run('z')),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(d.prepare('SELECT k FROM t ORDER BY k').pluck().all()).toEqual(['x', 'z'])
  })

  it('does not settle a write before its group has committed', async () => {
    const d = db()
    const q = new WriteQueue(d)
    const p = q.run(() => d.prepare('INSERT INTO t VALUES (?)').run('late'))
    // Nothing runs synchronously: the write waits for the group's turn.
    expect(d.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
    await p
    expect(d.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1)
    expect(d.inTransaction).toBe(false)
  })
})
