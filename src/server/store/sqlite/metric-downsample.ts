/**
 * Downsampled metric histories in SQLite: per equal-width bucket of steps or time, the point
 * count, min, max and last value, computed in SQL over the clustered `metrics` table.
 *
 * Time buckets are ranges of the clustered (run, key, timestamp, …) key, so each bucket is one
 * short range scan and "last" is one reverse seek: a million points in about 110 ms.
 * Steps are not a key prefix (the table is clustered by time, as MLflow orders histories). When
 * steps grow with time (checked) step buckets are time ranges too (about 240 ms for a million);
 * otherwise one GROUP BY pass for count/min/max/last step and one pass that picks the last
 * step's points (about 550 ms). A step index would cost every metric write for this one read.
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

type Ids = { run: number; key: number }

/** Buckets over [lo, hi] from `compute` (null: it could not answer), with the totals. */
function series<B extends MetricBucket[] | null>(
  input: DownsampleInput,
  lo: number,
  hi: number,
  compute: (starts: number[]) => B,
): { runId: string; start: number; end: number; count: number; buckets: B | MetricBucket[] } {
  const empty = { runId: input.runId, start: lo, end: hi, count: 0 }
  if (hi < lo) return { ...empty, buckets: [] }
  const span = hi - lo + 1
  const n = Math.max(1, Math.min(input.buckets, span))
  const buckets = compute(bucketStarts(lo, span, n))
  return { ...empty, count: buckets?.reduce((s, x) => s + x.count, 0) ?? 0, buckets }
}
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
    if (input.x === 'step') return this.stepSeries(input, ids)
    let lo = input.start
    let hi = input.end
    if (lo === undefined || hi === undefined) {
      lo ??= sql
        .pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp LIMIT 1`)
        .get(ids) as number
      hi ??= sql
        .pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp DESC LIMIT 1`)
        .get(ids) as number
    }
    return series(input, lo, hi, (starts) => this.timeBuckets(ids, starts))
  }

  /**
   * Steps usually grow with time. Then step buckets are time ranges too, found by binary search
   * on the clustered key, and each bucket is a range scan (as for time) instead of a sort of the
   * whole history. Whether the data allowed it is checked, not assumed: every time range's steps
   * must lie in its bucket, and no point outside the ranges may have a step inside [lo, hi].
   * Otherwise (steps out of time order, several steps at one timestamp across a bucket edge) the
   * grouped pass answers.
   */
  private stepSeries(input: DownsampleInput, ids: Ids): DownsampledSeries {
    const { sql } = this.ctx
    const firstStep = sql
      .pluck(`SELECT step FROM metrics WHERE ${WHERE} ORDER BY timestamp, step LIMIT 1`)
      .get(ids) as number
    const maxStep = sql.pluck(`SELECT step FROM latest_metrics WHERE ${WHERE}`).get(ids) as number
    const lo = input.start ?? firstStep
    const hi = input.end ?? maxStep
    const fast = series(input, lo, hi, (starts) => this.stepsByTime(ids, starts))
    if (fast.buckets !== null) return fast as DownsampledSeries
    let exactLo = input.start
    let exactHi = input.end
    if (exactLo === undefined || exactHi === undefined) {
      const [min, max] = sql.raw(`SELECT min(step), max(step) FROM metrics WHERE ${WHERE}`).get(ids) as [
        number,
        number,
      ]
      exactLo ??= min
      exactHi ??= max
    }
    return series(input, exactLo, exactHi, (starts) => this.stepBuckets(ids, starts))
  }

  private timeBuckets(ids: Ids, starts: number[]): MetricBucket[] {
    const { sql } = this.ctx
    const range = `${WHERE} AND timestamp >= @a AND timestamp < @b`
    const agg = sql.raw(`SELECT count(*), min(${VALUE}), max(${VALUE}) FROM metrics WHERE ${range}`)
    const last = sql.raw(
      `SELECT timestamp, step, value, is_nan FROM metrics WHERE ${range}
        ORDER BY timestamp DESC, step DESC, is_nan, value DESC LIMIT 1`,
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

  /** Step buckets as time ranges, when steps grow with time (see stepSeries); null when they do not. */
  private stepsByTime(ids: Ids, starts: number[]): MetricBucket[] | null {
    const { sql } = this.ctx
    const n = starts.length - 1
    const lo = starts[0]!
    const hi = starts[n]! - 1
    const firstAt = sql.raw(
      `SELECT timestamp, step FROM metrics WHERE ${WHERE} AND timestamp >= @t ORDER BY timestamp, step LIMIT 1`,
    )
    const tLast = sql
      .pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp DESC LIMIT 1`)
      .get(ids) as number
    // The first time from which the next point's step is at least s (tLast + 1: no such point).
    const edge = (s: number, from: number): number => {
      let a = from
      let b = tLast + 1
      while (a < b) {
        const mid = a + Math.floor((b - a) / 2)
        const row = firstAt.get({ ...ids, t: mid }) as [number, number] | undefined
        if (row === undefined || row[1] >= s) b = mid
        else a = row[0] + 1
      }
      return a
    }
    const tFirst = sql
      .pluck(`SELECT timestamp FROM metrics WHERE ${WHERE} ORDER BY timestamp LIMIT 1`)
      .get(ids) as number
    const edges: number[] = []
    for (let i = 0; i <= n; i++) edges.push(edge(starts[i]!, edges[i - 1] ?? tFirst))
    // Two range scans, not one OR (which SQLite would answer by reading the whole history).
    const before = sql.pluck(
      `SELECT count(*) FROM metrics WHERE ${WHERE} AND timestamp < @a AND step >= @lo AND step <= @hi`,
    )
    const after = sql.pluck(
      `SELECT count(*) FROM metrics WHERE ${WHERE} AND timestamp >= @b AND step >= @lo AND step <= @hi`,
    )
    const bounds = { ...ids, a: edges[0], b: edges[n], lo, hi }
    if ((before.get(bounds) as number) > 0 || (after.get(bounds) as number) > 0) return null
    const agg = sql.raw(
      `SELECT count(*), min(${VALUE}), max(${VALUE}), min(step), max(step) FROM metrics
        WHERE ${WHERE} AND timestamp >= @a AND timestamp < @b`,
    )
    const last = sql.raw(
      `SELECT step, timestamp, value, is_nan FROM metrics WHERE ${WHERE} AND timestamp >= @a AND timestamp < @b
          AND step = @step ORDER BY timestamp DESC, is_nan, value DESC LIMIT 1`,
    )
    const out: MetricBucket[] = []
    for (let i = 0; i < n; i++) {
      if (edges[i] === edges[i + 1]) continue
      const args = { ...ids, a: edges[i], b: edges[i + 1] }
      const [count, min, max, minStep, maxStep] = agg.get(args) as [
        number,
        number | null,
        number | null,
        number,
        number,
      ]
      if (count === 0) continue
      if (minStep < starts[i]! || maxStep >= starts[i + 1]!) return null
      out.push(bucket(starts, i, [count, min, max], last.get({ ...args, step: maxStep }) as LastRow))
    }
    return out
  }

  private stepBuckets(ids: Ids, starts: number[]): MetricBucket[] {
    const { sql } = this.ctx
    const n = starts.length - 1
    const lo = starts[0]!
    const span = starts[n]! - lo
    const hi = lo + span - 1
    const groups = sql
      .raw(
        `SELECT CAST((step - @lo) * @n / @span AS INTEGER) AS b, count(*), min(${VALUE}), max(${VALUE}), max(step)
           FROM metrics WHERE ${WHERE} AND step >= @lo AND step <= @hi GROUP BY b ORDER BY b`,
      )
      .all({ ...ids, lo, hi, n, span }) as [number, number, number | null, number | null, number][]
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
      bucket(starts, i, [count, min, max], lastByStep.get(step)!),
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
