/**
 * Downsampled metric histories in SQLite: per equal-width bucket of steps or time, the point
 * count, min, max and last value, computed in SQL over the clustered `metrics` table.
 *
 * Time buckets are ranges of the clustered (run, key, timestamp, …) key, so each bucket is one
 * short range scan and "last" is one reverse seek: a million points in well under 100 ms.
 * Steps are not a key prefix (the table is clustered by time, as MLflow orders histories), so
 * step buckets take one GROUP BY pass for count/min/max/last step, and one pass that picks the
 * last step's points; adding a step index would cost every metric write for this one read.
 */
import type { DownsampledSeries, DownsampleInput, MetricBucket } from '../tracking-store.js'
import type { SqliteContext } from './context.js'

type LastRow = [x: number, order: number, value: number, isNan: number]

/** Bucket i of n over [lo, lo + span) starts at lo + ceil(i * span / n): exact for any int64 span. */
export function bucketStarts(lo: number, span: number, n: number): number[] {
  const out = new Array<number>(n + 1)
  const exact = Number.isSafeInteger(span * n)
  for (let i = 0; i <= n; i++) {
    if (exact) out[i] = lo + Math.ceil((i * span) / n)
    else {
      const num = BigInt(i) * BigInt(span)
      const q = num / BigInt(n) + (num % BigInt(n) === 0n ? 0n : 1n)
      out[i] = lo + Number(q)
    }
  }
  return out
}

const WHERE = 'run_pk = @run AND key_id = @key'
const VALUE = 'CASE WHEN is_nan THEN NULL ELSE value END'

export class SqliteDownsampler {
  constructor(private readonly ctx: SqliteContext) {}

  downsample(input: DownsampleInput): DownsampledSeries | null {
    const { sql, metricKeys } = this.ctx
    const run = sql.pluck('SELECT run_pk FROM runs WHERE run_uuid = ?').get(input.runId) as number | undefined
    const key = metricKeys.lookup(input.metricKey)
    if (run === undefined || key === undefined) return null
    const ids = { run, key }
    if (sql.pluck(`SELECT 1 FROM latest_metrics WHERE ${WHERE}`).get(ids) === undefined) return null
    let lo = input.start
    let hi = input.end
    if (lo === undefined || hi === undefined) {
      const range =
        input.x === 'time'
          ? [
              sql.pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp LIMIT 1`).get(ids),
              sql
                .pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp DESC LIMIT 1`)
                .get(ids),
            ]
          : (sql.raw(`SELECT min(step), max(step) FROM metrics WHERE ${WHERE}`).get(ids) as unknown[])
      lo ??= range[0] as number
      hi ??= range[1] as number
    }
    const empty: DownsampledSeries = { runId: input.runId, start: lo, end: hi, count: 0, buckets: [] }
    if (hi < lo) return empty
    const span = hi - lo + 1
    const n = Math.max(1, Math.min(input.buckets, span))
    const starts = bucketStarts(lo, span, n)
    const buckets =
      input.x === 'time' ? this.timeBuckets(ids, starts) : this.stepBuckets(ids, { lo, span, n, starts })
    return { ...empty, count: buckets.reduce((s, b) => s + b.count, 0), buckets }
  }

  private timeBuckets(ids: { run: number; key: number }, starts: number[]): MetricBucket[] {
    const { sql } = this.ctx
    const range = `${WHERE} AND timestamp >= @a AND timestamp < @b`
    const agg = sql.raw(`SELECT count(*), min(${VALUE}), max(${VALUE}) FROM metrics WHERE ${range}`)
    const last = sql.raw(
      `SELECT timestamp, step, value, is_nan FROM metrics WHERE ${range}
        ORDER BY timestamp DESC, step DESC, value DESC, is_nan DESC LIMIT 1`,
    )
    const out: MetricBucket[] = []
    for (let i = 0; i + 1 < starts.length; i++) {
      const args = { ...ids, a: starts[i], b: starts[i + 1] }
      const [count, min, max] = agg.get(args) as [number, number | null, number | null]
      if (count === 0) continue
      out.push(bucket(starts, i, [count, min, max], last.get(args) as LastRow))
    }
    return out
  }

  private stepBuckets(
    ids: { run: number; key: number },
    b: { lo: number; span: number; n: number; starts: number[] },
  ): MetricBucket[] {
    const { sql } = this.ctx
    const hi = b.lo + b.span - 1
    const groups = sql
      .raw(
        `SELECT CAST((step - @lo) * @n / @span AS INTEGER) AS b, count(*), min(${VALUE}), max(${VALUE}), max(step)
           FROM metrics WHERE ${WHERE} AND step >= @lo AND step <= @hi GROUP BY b ORDER BY b`,
      )
      .all({ ...ids, lo: b.lo, hi, n: b.n, span: b.span }) as [
      number,
      number,
      number | null,
      number | null,
      number,
    ][]
    if (groups.length === 0) return []
    // The points at each bucket's last step; of several at one step the latest (then greatest) wins.
    const lastSteps = groups.map((g) => g[4])
    const rows = sql
      .raw(
        `SELECT step, timestamp, value, is_nan FROM metrics
          WHERE ${WHERE} AND step IN (SELECT value FROM json_each(@steps))`,
      )
      .all({ ...ids, steps: JSON.stringify(lastSteps) }) as LastRow[]
    const lastByStep = new Map<number, LastRow>()
    for (const r of rows) {
      const prev = lastByStep.get(r[0])
      if (prev === undefined || laterInBucket(r, prev)) lastByStep.set(r[0], r)
    }
    return groups.map(([i, count, min, max, step]) =>
      bucket(b.starts, i, [count, min, max], lastByStep.get(step)!),
    )
  }
}

/** Of two points at one x: the greater second key (step or time), then the greater value, NaN lowest. */
function laterInBucket(a: LastRow, b: LastRow): boolean {
  if (a[1] !== b[1]) return a[1] > b[1]
  if (a[3] !== b[3]) return a[3] < b[3]
  return a[2] > b[2]
}

function bucket(
  starts: number[],
  i: number,
  [count, min, max]: [number, number | null, number | null],
  last: LastRow,
): MetricBucket {
  return {
    xStart: starts[i]!,
    xEnd: starts[i + 1]! - 1,
    count,
    min: min ?? Number.NaN,
    max: max ?? Number.NaN,
    last: last[3] ? Number.NaN : last[2],
    lastX: last[0],
  }
}
