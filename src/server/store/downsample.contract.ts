/**
 * Contract for TrackingStore.downsampleMetric: every backend's buckets equal a brute-force
 * bucketing of the whole history (the reference below), on histories with unordered steps,
 * repeated steps and timestamps, NaN and a single spike.
 */
import { expect, it } from 'vitest'
import type { Metric } from '../../protocol/entities.js'
import type { DownsampleInput, MetricBucket, TrackingStore } from './tracking-store.js'

/** The reference: bucket every point by floor((x - lo) * n / span). */
export function referenceBuckets(points: Metric[], input: Required<DownsampleInput>): MetricBucket[] {
  const span = input.end - input.start + 1
  const n = Math.max(1, Math.min(input.buckets, span))
  const xOf = (p: Metric): number => (input.x === 'step' ? p.step : p.timestamp)
  const other = (p: Metric): number => (input.x === 'step' ? p.timestamp : p.step)
  const later = (a: Metric, b: Metric): boolean => {
    if (xOf(a) !== xOf(b)) return xOf(a) > xOf(b)
    if (other(a) !== other(b)) return other(a) > other(b)
    if (Number.isNaN(a.value) !== Number.isNaN(b.value)) return Number.isNaN(b.value)
    return a.value > b.value
  }
  const byBucket = new Map<number, Metric[]>()
  for (const p of points) {
    const x = xOf(p)
    if (x < input.start || x > input.end) continue
    const i = Math.floor(((x - input.start) * n) / span)
    byBucket.set(i, [...(byBucket.get(i) ?? []), p])
  }
  return [...byBucket.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, ps]) => {
      const finite = ps.filter((p) => !Number.isNaN(p.value)).map((p) => p.value)
      const last = ps.reduce((a, b) => (later(b, a) ? b : a))
      return {
        xStart: input.start + Math.ceil((i * span) / n),
        xEnd: input.start + Math.ceil(((i + 1) * span) / n) - 1,
        count: ps.length,
        min: finite.length ? Math.min(...finite) : Number.NaN,
        max: finite.length ? Math.max(...finite) : Number.NaN,
        last: last.value,
        lastX: xOf(last),
      }
    })
}

/** A deterministic pseudo-random history: steps out of order, shared steps and times, NaN, one spike. */
function history(seed: number, size: number): Metric[] {
  let s = seed
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const out: Metric[] = []
  for (let i = 0; i < size; i++) {
    const step = Math.floor(rnd() * size * 0.8)
    const timestamp = 1_000_000 + Math.floor(rnd() * size * 3)
    const value = rnd() < 0.03 ? Number.NaN : Math.round(rnd() * 1000) / 10
    out.push({ key: 'loss', value, timestamp, step })
  }
  out.push({ key: 'loss', value: 1e6, timestamp: 1_000_000 + size, step: Math.floor(size / 3) })
  return out
}

/** Steps that grow with time, as training logs them: repeats, a few at one timestamp, NaN, a spike. */
function orderedHistory(size: number, outOfOrder: boolean): Metric[] {
  const out: Metric[] = []
  let step = 3
  let timestamp = 5_000
  for (let i = 0; i < size; i++) {
    if (i % 7 !== 0) step += 1 + (i % 3)
    if (i % 5 !== 0) timestamp += 1 + (i % 4)
    const value = i % 41 === 0 ? Number.NaN : i === Math.floor(size / 2) ? 1e6 : Math.sin(i / 50)
    out.push({ key: 'loss', value, timestamp, step })
  }
  // One late point with an early step: the steps no longer follow time.
  if (outOfOrder) out.push({ key: 'loss', value: -3, timestamp: timestamp + 10, step: 40 })
  return out
}

export function describeDownsampleContract(getStore: () => TrackingStore): void {
  async function runWith(points: Metric[]): Promise<string> {
    const store = getStore()
    const run = await store.createRun({
      experimentId: '0',
      userId: 'u',
      runName: 'r',
      startTime: 1,
      tags: [],
    })
    for (let i = 0; i < points.length; i += 1000) {
      await store.logBatch(run.info.runId, { metrics: points.slice(i, i + 1000), params: [], tags: [] })
    }
    return run.info.runId
  }
  /** What the store kept (identical points are stored once). */
  async function stored(runId: string): Promise<Metric[]> {
    return (await getStore().getMetricHistory(runId, 'loss', { offset: 0 })).items
  }

  for (const x of ['step', 'time'] as const) {
    it(`downsamples by ${x}: count, min, max and last per bucket equal a scan of every point`, async () => {
      const runId = await runWith(history(x === 'step' ? 7 : 11, 3000))
      const points = await stored(runId)
      const xs = points.map((p) => (x === 'step' ? p.step : p.timestamp))
      const full = { runId, metricKey: 'loss', buckets: 97, x, start: Math.min(...xs), end: Math.max(...xs) }
      const got = await getStore().downsampleMetric({ runId, metricKey: 'loss', buckets: 97, x })
      expect(got).not.toBeNull()
      expect(got!.start).toBe(full.start)
      expect(got!.end).toBe(full.end)
      expect(got!.count).toBe(points.length)
      expect(got!.buckets).toEqual(referenceBuckets(points, full))
      expect(Math.max(...got!.buckets.map((b) => b.max))).toBe(1e6)
    })

    it(`limits ${x} buckets to [start, end] and leaves empty buckets out`, async () => {
      const runId = await runWith(history(x === 'step' ? 3 : 5, 400))
      const points = await stored(runId)
      const xs = points.map((p) => (x === 'step' ? p.step : p.timestamp)).sort((a, b) => a - b)
      const start = xs[50]!
      const end = xs[300]!
      const input = { runId, metricKey: 'loss', buckets: 1000, x, start, end }
      const got = await getStore().downsampleMetric(input)
      expect(got!.buckets).toEqual(referenceBuckets(points, input))
      expect(got!.count).toBe(xs.filter((v) => v >= start && v <= end).length)
      for (const b of got!.buckets) expect(b.count).toBeGreaterThan(0)
    })
  }

  for (const outOfOrder of [false, true]) {
    it(`downsamples steps that ${outOfOrder ? 'mostly ' : ''}grow with time exactly as a scan of every point`, async () => {
      const runId = await runWith(orderedHistory(2500, outOfOrder))
      const points = await stored(runId)
      const steps = points.map((p) => p.step)
      for (const [buckets, start, end] of [
        [64, undefined, undefined],
        [7, undefined, undefined],
        [50, steps[400]!, steps[1700]!],
        [5000, undefined, undefined],
      ] as const) {
        const got = await getStore().downsampleMetric({
          runId,
          metricKey: 'loss',
          buckets,
          x: 'step',
          ...(start !== undefined ? { start, end } : {}),
        })
        const full = {
          runId,
          metricKey: 'loss',
          buckets,
          x: 'step' as const,
          start: start ?? Math.min(...steps),
          end: end ?? Math.max(...steps),
        }
        expect(got!.start).toBe(full.start)
        expect(got!.end).toBe(full.end)
        expect(got!.buckets).toEqual(referenceBuckets(points, full))
      }
    })
  }

  it('answers one bucket per x value when there are fewer x values than buckets', async () => {
    const points: Metric[] = [0, 1, 2, 3].map((step) => ({
      key: 'loss',
      value: step * 2,
      timestamp: 10 + step,
      step,
    }))
    const runId = await runWith(points)
    const got = await getStore().downsampleMetric({ runId, metricKey: 'loss', buckets: 500, x: 'step' })
    expect(got!.buckets.map((b) => [b.xStart, b.xEnd, b.count, b.last])).toEqual([
      [0, 0, 1, 0],
      [1, 1, 1, 2],
      [2, 2, 1, 4],
      [3, 3, 1, 6],
    ])
  })

  it('answers null for an unknown run or metric key, and no buckets for an empty range', async () => {
    const runId = await runWith([{ key: 'loss', value: 1, timestamp: 5, step: 1 }])
    const store = getStore()
    expect(await store.downsampleMetric({ runId, metricKey: 'nope', buckets: 10, x: 'step' })).toBeNull()
    expect(
      await store.downsampleMetric({ runId: 'f'.repeat(32), metricKey: 'loss', buckets: 10, x: 'time' }),
    ).toBeNull()
    const none = await store.downsampleMetric({
      runId,
      metricKey: 'loss',
      buckets: 10,
      x: 'step',
      start: 5,
      end: 9,
    })
    expect(none).toMatchObject({ count: 0, buckets: [] })
  })
}
