import { describe, expect, it } from 'vitest'
import { BATCH_LIMITS, coalesceTags, countEntities, planBatches, type MetricPoint } from './batches.js'

const metrics = (n: number, key = 'm'): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ key, value: i, timestamp: 1000 + i, step: i }))
const kvs = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }))

describe('planBatches', () => {
  it('splits metrics into requests of at most 1000, keeping their order', () => {
    const plan = planBatches({ params: [], tags: [], metrics: metrics(2500) })
    expect(plan.map((b) => b.metrics.length)).toEqual([1000, 1000, 500])
    expect(plan.flatMap((b) => b.metrics.map((m) => m.step))).toEqual(metrics(2500).map((m) => m.step))
  })

  it('sends params in requests of their own, at most 100 each, before tags and metrics', () => {
    const plan = planBatches({ params: kvs(250, 'p'), tags: kvs(3, 't'), metrics: metrics(10) })
    expect(plan.map((b) => [b.params.length, b.tags.length, b.metrics.length])).toEqual([
      [100, 0, 0],
      [100, 0, 0],
      [50, 0, 0],
      [0, 3, 10],
    ])
  })

  it('keeps tags at 100 and the total at 1000 per request', () => {
    const plan = planBatches({ params: [], tags: kvs(150, 't'), metrics: metrics(1500) })
    for (const b of plan) {
      expect(b.tags.length).toBeLessThanOrEqual(BATCH_LIMITS.tags)
      expect(countEntities(b)).toBeLessThanOrEqual(BATCH_LIMITS.entities)
    }
    expect(plan.reduce((n, b) => n + b.tags.length, 0)).toBe(150)
    expect(plan.reduce((n, b) => n + b.metrics.length, 0)).toBe(1500)
    expect(plan[0]).toMatchObject({ tags: expect.any(Array) })
    expect(plan[0]!.tags.length + plan[0]!.metrics.length).toBe(1000)
  })

  it('cuts requests before the JSON body would pass the byte budget', () => {
    const big = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'x'.repeat(6000) }))
    const plan = planBatches({ params: big, tags: [], metrics: [] }, { ...BATCH_LIMITS, bytes: 100_000 })
    expect(plan.length).toBeGreaterThan(1)
    for (const b of plan) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(100_000)
    expect(plan.reduce((n, b) => n + b.params.length, 0)).toBe(100)
  })

  it('collapses several values of one tag to the last one', () => {
    expect(
      coalesceTags([
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
        { key: 'a', value: '3' },
      ]),
    ).toEqual([
      { key: 'b', value: '2' },
      { key: 'a', value: '3' },
    ])
  })

  it('plans nothing for an empty queue', () => {
    expect(planBatches({ params: [], tags: [], metrics: [] })).toEqual([])
  })
})
