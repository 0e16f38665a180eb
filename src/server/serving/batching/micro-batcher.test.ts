import { describe, expect, it } from 'vitest'
import { MicroBatcher, type Tensors } from './micro-batcher.js'

/** A "model" that doubles its input and records the rows of every call. */
function doubler(delay = 0): { run: (f: Tensors) => Promise<Tensors>; calls: number[] } {
  const calls: number[] = []
  return {
    calls,
    run: async (feeds) => {
      const x = feeds['x']!
      calls.push(x.dims[0]!)
      if (delay > 0) await new Promise((r) => setTimeout(r, delay))
      const data = Float32Array.from(x.data as Float32Array, (v) => v * 2)
      return { y: { type: 'float32', dims: [...x.dims], data } }
    },
  }
}

const row = (...v: number[]): Tensors => ({
  x: { type: 'float32', dims: [1, v.length], data: Float32Array.from(v) },
})

describe('adaptive micro-batching', () => {
  it('merges requests that arrive together into one run and gives each its own rows back', async () => {
    const m = doubler()
    const b = new MicroBatcher(m.run, { enabled: true, maxBatchSize: 64, maxWaitMs: 5 })
    const answers = await Promise.all([1, 2, 3, 4].map((i) => b.submit(row(i, i + 10), 1)))
    expect(m.calls).toEqual([4])
    expect(answers.map((a) => Array.from(a['y']!.data as Float32Array))).toEqual([
      [2, 22],
      [4, 24],
      [6, 26],
      [8, 28],
    ])
    expect(answers[2]!['y']!.dims).toEqual([1, 2])
  })

  it('runs a lone request without waiting for company', async () => {
    const m = doubler()
    const b = new MicroBatcher(m.run, { enabled: true, maxBatchSize: 64, maxWaitMs: 60_000 })
    await b.submit(row(1), 1)
    expect(m.calls).toEqual([1])
  })

  it('queues requests while a run is in flight and sends them together when it ends', async () => {
    const m = doubler(20)
    const b = new MicroBatcher(m.run, { enabled: true, maxBatchSize: 64, maxWaitMs: 60_000 })
    const first = b.submit(row(1), 1)
    await new Promise((r) => setImmediate(r))
    const rest = [2, 3, 4].map((i) => b.submit(row(i), 1))
    await Promise.all([first, ...rest])
    expect(m.calls).toEqual([1, 3])
  })

  it('never puts more than maxBatchSize rows in a run, and runs big requests alone', async () => {
    const m = doubler()
    const b = new MicroBatcher(m.run, { enabled: true, maxBatchSize: 3, maxWaitMs: 5 })
    const big: Tensors = { x: { type: 'float32', dims: [5, 1], data: new Float32Array(5) } }
    await Promise.all([...[1, 2, 3, 4, 5].map((i) => b.submit(row(i), 1)), b.submit(big, 5)])
    expect(Math.max(...m.calls)).toBeLessThanOrEqual(5)
    expect(m.calls.filter((c) => c === 5)).toEqual([5])
    expect(m.calls.filter((c) => c !== 5).every((c) => c <= 3)).toBe(true)
    expect(m.calls.reduce((a, c) => a + c, 0)).toBe(10)
  })

  it('runs requests of a failed batch alone so only the bad one fails', async () => {
    const calls: number[] = []
    const run = async (feeds: Tensors): Promise<Tensors> => {
      const x = feeds['x']!
      calls.push(x.dims[0]!)
      if (Array.from(x.data as Float32Array).includes(-1)) throw new Error('bad value')
      return { y: x }
    }
    const b = new MicroBatcher(run, { enabled: true, maxBatchSize: 64, maxWaitMs: 5 })
    const results = await Promise.allSettled([b.submit(row(1), 1), b.submit(row(-1), 1), b.submit(row(3), 1)])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(calls[0]).toBe(3)
  })

  it('stops batching a model whose outputs are not per row', async () => {
    const calls: number[] = []
    const run = async (feeds: Tensors): Promise<Tensors> => {
      calls.push(feeds['x']!.dims[0]!)
      return { total: { type: 'float32', dims: [1], data: new Float32Array([1]) } }
    }
    const b = new MicroBatcher(run, { enabled: true, maxBatchSize: 64, maxWaitMs: 5 })
    await Promise.all([b.submit(row(1), 1), b.submit(row(2), 1)])
    await Promise.all([b.submit(row(1), 1), b.submit(row(2), 1)])
    expect(calls).toEqual([2, 1, 1, 1, 1])
  })

  it('is off when disabled: every request runs alone', async () => {
    const m = doubler()
    const b = new MicroBatcher(m.run, { enabled: false, maxBatchSize: 64, maxWaitMs: 5 })
    await Promise.all([1, 2, 3].map((i) => b.submit(row(i), 1)))
    expect(m.calls).toEqual([1, 1, 1])
  })
})
