/**
 * Running a run-search plan (search-sql-runs.ts): pick a driver or walk the segments, one page.
 * Statements are cached per connection by SQL text: a search shape is prepared once.
 */
import type Database from 'better-sqlite3'
import type { SqliteDb } from './db.js'
import type { RunRow } from './runs.js'
import { compareStrings } from '../../../protocol/filter/evaluate.js'
import type { RunPartitions, RunSearchPlan } from './search-sql-runs.js'
import type { Fragment } from './sql-fragment.js'

type Statement = Database.Statement<unknown[], unknown>

const statements = new WeakMap<SqliteDb, Map<string, Statement>>()

function prepared(db: SqliteDb, text: string): Statement {
  let cache = statements.get(db)
  if (!cache) statements.set(db, (cache = new Map<string, Statement>()))
  let stmt = cache.get(text)
  if (!stmt) {
    if (cache.size >= 200) cache.clear()
    stmt = db.prepare<unknown[]>(text)
    cache.set(text, stmt)
  }
  return stmt
}

type RawRunRow = [
  number,
  string,
  number,
  string,
  string,
  RunRow['status'],
  number,
  number | null,
  string,
  RunRow['lifecycle_stage'],
]

/** Rows as arrays, then objects of one shape: quicker than better-sqlite3's row objects. */
function runRows(stmt: Statement, params: unknown[]): RunRow[] {
  const raw = stmt.raw(true).all(...params) as RawRunRow[]
  return raw.map((r) => ({
    run_pk: r[0],
    run_uuid: r[1],
    experiment_id: r[2],
    run_name: r[3],
    user_id: r[4],
    status: r[5],
    start_time: r[6],
    end_time: r[7],
    artifact_uri: r[8],
    lifecycle_stage: r[9],
  }))
}

/** The first `offset + limit` rows of each partition, merged by start_time then run id. */
function mergePartitions(db: SqliteDb, partitions: RunPartitions, limit: number, offset: number): RunRow[] {
  const need = offset + limit
  const rows = partitions.queries.flatMap((q) =>
    runRows(prepared(db, `${q.sql} LIMIT ?`), [...q.params, need]),
  )
  const dir = partitions.ascending ? 1 : -1
  rows.sort((a, b) => dir * (a.start_time - b.start_time) || compareStrings(a.run_uuid, b.run_uuid))
  return rows.slice(offset, need)
}

/**
 * Rows `offset … offset+limit` of the plan's order. A driver with at most `cap` candidates wins
 * (cap ≈ the index entries the ordered walk would read for a selective filter); otherwise each
 * segment in turn until the page is full.
 */
export function selectRunRows(
  db: SqliteDb,
  plan: RunSearchPlan,
  page: { limit: number; offset: number; drivers?: boolean },
): RunRow[] {
  const { limit, offset } = page
  const cap = Math.max(1000, 10 * (offset + limit))
  let best: { query: Fragment; count: number } | undefined
  for (const d of page.drivers === false ? [] : plan.drivers) {
    // Branches are counted apart, each only up to the cap: a UNION would read them all to dedupe.
    let count = 0
    for (const b of d.branches) {
      count += prepared(db, `SELECT count(*) FROM (${b.sql} LIMIT ?)`)
        .pluck()
        .get(...b.params, cap + 1 - count) as number
      if (count > cap) break
    }
    if (count <= cap && (best === undefined || count < best.count)) best = { query: d.query, count }
    if (count === 0) break
  }
  if (best) {
    return runRows(prepared(db, `${best.query.sql} LIMIT ? OFFSET ?`), [...best.query.params, limit, offset])
  }
  if (plan.partitions) return mergePartitions(db, plan.partitions, limit, offset)
  let rows: RunRow[] = []
  let skip = offset
  for (const segment of plan.segments) {
    const need = limit - rows.length
    if (need <= 0) break
    const found = runRows(prepared(db, `${segment.sql} LIMIT ? OFFSET ?`), [...segment.params, need, skip])
    rows = rows.length === 0 ? found : rows.concat(found)
    if (found.length > 0 || skip === 0) {
      skip = 0
      continue
    }
    // The whole segment lay before the page: skip past it.
    const count = prepared(db, `SELECT COUNT(*) FROM (${segment.sql})`)
      .pluck()
      .get(...segment.params) as number
    skip = Math.max(0, skip - count)
  }
  return rows
}
