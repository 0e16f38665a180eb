/** Metric histories in SQLite: range scans over the clustered `metrics` table. */
import type { Metric, RunMetric } from '../../../protocol/entities.js'
import type { BulkIntervalInput, HistoryPageInput, Page } from '../tracking-store.js'
import type { SqliteContext } from './context.js'

type PointRow = [timestamp: number, step: number, value: number, isNan: number]

const toMetric = (key: string, [timestamp, step, value, isNan]: PointRow): Metric => ({
  key,
  value: isNan ? Number.NaN : value,
  timestamp,
  step,
})

/** Indices of `count` evenly spaced items out of `n`, first and last included. */
export function evenlySpaced(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i)
  if (count <= 1) return [n - 1]
  const out = new Set<number>()
  for (let i = 0; i < count; i++) out.add(Math.round((i * (n - 1)) / (count - 1)))
  return [...out]
}

export class SqliteMetrics {
  private readonly runPk
  private readonly page
  private readonly after
  private readonly first
  private readonly jsonFirst
  private readonly jsonAfter
  private readonly lastFirst
  private readonly lastAfter

  constructor(private readonly ctx: SqliteContext) {
    const { db } = ctx
    this.runPk = db.prepare<[string], number>('SELECT run_pk FROM runs WHERE run_uuid = ?').pluck()
    const cols = 'SELECT timestamp, step, value, is_nan FROM metrics WHERE run_pk = ? AND key_id = ?'
    const order = 'ORDER BY timestamp, step, value, is_nan'
    this.page = db.prepare(`${cols} ${order} LIMIT ? OFFSET ?`).raw()
    this.first = db.prepare(`${cols} ${order} LIMIT ?`).raw()
    this.after = db
      .prepare(`${cols} AND (timestamp, step, value, is_nan) > (?, ?, ?, ?) ${order} LIMIT ?`)
      .raw()
    // One chunk as JSON text, and separately the chunk's last row (the keyset to continue from).
    // SQLite's REAL-to-text conversion round-trips exactly (the contract test checks tricky values).
    const json = (where: string): string => `
      SELECT group_concat(frag, ','), count(*)
        FROM (SELECT @head || CASE WHEN is_nan THEN '"NaN"' ELSE value END
                     || ',"timestamp":' || timestamp || ',"step":' || step || '}' AS frag
                FROM metrics WHERE run_pk = @run AND key_id = @key ${where} ${order} LIMIT @limit)`
    const lastRow = (where: string): string =>
      `${cols.replace('?', '@run').replace('?', '@key')} ${where} ${order} LIMIT 1 OFFSET @limit - 1`
    const after = 'AND (timestamp, step, value, is_nan) > (@ts, @step, @value, @nan)'
    this.jsonFirst = db.prepare(json('')).raw()
    this.jsonAfter = db.prepare(json(after)).raw()
    this.lastFirst = db.prepare(lastRow('')).raw()
    this.lastAfter = db.prepare(lastRow(after)).raw()
  }

  /** Unknown runs and keys have an empty history (MLflow answers `{}`). */
  private ids(runId: string, key: string): [number, number] | null {
    const pk = this.runPk.get(runId)
    const keyId = this.ctx.metricKeys.lookup(key)
    return pk === undefined || keyId === undefined ? null : [pk, keyId]
  }

  history(runId: string, key: string, input: HistoryPageInput): Page<Metric> {
    const ids = this.ids(runId, key)
    if (!ids) return { items: [], nextOffset: null }
    const limit = input.maxResults === undefined ? -1 : input.maxResults + 1
    const rows = this.page.all(ids[0], ids[1], limit, input.offset) as PointRow[]
    const more = input.maxResults !== undefined && rows.length > input.maxResults
    const kept = more ? rows.slice(0, input.maxResults) : rows
    return {
      items: kept.map((r) => toMetric(key, r)),
      nextOffset: more ? input.offset + (input.maxResults ?? 0) : null,
    }
  }

  /**
   * The history as MLflow JSON metric objects, comma-separated, in chunks. SQLite formats the
   * text itself (one aggregate per chunk): for a million points this is several times faster
   * than building objects in JavaScript. Values print with 17 significant digits, which always
   * parse back to the identical double.
   */
  async *streamJson(runId: string, key: string, chunkSize: number): AsyncIterable<string> {
    const ids = this.ids(runId, key)
    if (!ids) return
    const head = `{"key":${JSON.stringify(key)},"value":`
    const base = { head, run: ids[0], key: ids[1], limit: chunkSize }
    let args: Record<string, unknown> = base
    let first = true
    for (;;) {
      const [text, count] = (first ? this.jsonFirst : this.jsonAfter).get(args) as [string | null, number]
      if (text === null || count === 0) return
      yield text
      if (count < chunkSize) return
      const { head: _head, ...keyset } = args
      const last = (first ? this.lastFirst : this.lastAfter).get(keyset) as PointRow
      args = { ...base, ts: last[0], step: last[1], value: last[2], nan: last[3] }
      first = false
    }
  }

  /** Keyset-paged reads, each chunk one short synchronous query, so other requests interleave. */
  async *stream(runId: string, key: string, chunkSize: number): AsyncIterable<Metric[]> {
    const ids = this.ids(runId, key)
    if (!ids) return
    let rows = this.first.all(ids[0], ids[1], chunkSize) as PointRow[]
    while (rows.length > 0) {
      yield rows.map((r) => toMetric(key, r))
      if (rows.length < chunkSize) return
      const last = rows[rows.length - 1]!
      rows = this.after.all(ids[0], ids[1], ...last, chunkSize) as PointRow[]
    }
  }

  bulk(runIds: string[], key: string, maxResults: number): RunMetric[] {
    const out: RunMetric[] = []
    for (const runId of [...new Set(runIds)].sort()) {
      if (out.length >= maxResults) break
      const ids = this.ids(runId, key)
      if (!ids) continue
      const rows = this.first.all(ids[0], ids[1], maxResults - out.length) as PointRow[]
      for (const r of rows) out.push({ ...toMetric(key, r), runId })
    }
    return out
  }

  bulkInterval(input: BulkIntervalInput): RunMetric[] {
    const { db } = this.ctx
    const out: RunMetric[] = []
    const steps = db
      .prepare(
        'SELECT DISTINCT step FROM metrics WHERE run_pk = ? AND key_id = ? AND step >= ? AND step <= ? ORDER BY step',
      )
      .pluck()
    const at = db
      .prepare(
        `SELECT timestamp, step, value, is_nan FROM metrics
        WHERE run_pk = ? AND key_id = ? AND step IN (SELECT value FROM json_each(?))
        ORDER BY step, timestamp, value`,
      )
      .raw()
    const lo = input.startStep ?? Number.MIN_SAFE_INTEGER
    const hi = input.endStep ?? Number.MAX_SAFE_INTEGER
    // Runs in the order asked for, as current MLflow answers (get-history-bulk sorts by id instead).
    for (const runId of new Set(input.runIds)) {
      const ids = this.ids(runId, input.metricKey)
      if (!ids) continue
      const all = steps.all(ids[0], ids[1], lo, hi) as number[]
      const chosen = evenlySpaced(all.length, input.maxResults).map((i) => all[i]!)
      const rows = at.all(ids[0], ids[1], JSON.stringify(chosen)) as PointRow[]
      for (const r of rows) out.push({ ...toMetric(input.metricKey, r), runId })
    }
    return out
  }
}
