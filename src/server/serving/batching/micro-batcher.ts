/**
 * Adaptive micro-batching: concurrent small requests to one model are concatenated along the
 * first (batch) dimension into one runtime call, and the outputs split back by rows.
 *
 * Adaptive: when the model is idle a request runs at the end of the current event-loop turn
 * (together with whatever arrived in the same turn), so a lone request waits for nothing; while
 * runs are in flight, requests queue until one finishes, the queue reaches `maxBatchSize` rows,
 * or the oldest has waited `maxWaitMs`. Requests of `maxBatchSize` rows or more run alone.
 */

/** One input or output: row-major data, `dims[0]` rows. */
export interface BatchTensor {
  type: string
  dims: number[]
  data: ArrayLike<unknown> & { length: number; slice(start: number, end: number): ArrayLike<unknown> }
}

export type Tensors = Record<string, BatchTensor>

export interface BatchingOptions {
  enabled: boolean
  /** Most rows in one runtime call. */
  maxBatchSize: number
  /** Longest a queued request waits while the model is busy, in ms. */
  maxWaitMs: number
  /** Runtime calls in flight before requests queue. */
  maxConcurrentRuns?: number
}

interface Pending {
  feeds: Tensors
  rows: number
  resolve: (out: Tensors) => void
  reject: (err: unknown) => void
}

export class BatchShapeError extends Error {}

type TypedCtor = new (n: number) => ArrayLike<unknown> & { set(a: ArrayLike<unknown>, offset: number): void }

/** Concatenates tensors of one input along dims[0]. */
export function concatRows(parts: BatchTensor[], totalRows: number): BatchTensor {
  const first = parts[0]!
  const dims = [totalRows, ...first.dims.slice(1)]
  if (Array.isArray(first.data)) {
    return { type: first.type, dims, data: parts.flatMap((p) => p.data as unknown[]) }
  }
  const size = parts.reduce((n, p) => n + p.data.length, 0)
  const Ctor = (first.data as object).constructor as TypedCtor
  const out = new Ctor(size)
  let offset = 0
  for (const p of parts) {
    out.set(p.data, offset)
    offset += p.data.length
  }
  return { type: first.type, dims, data: out as unknown as BatchTensor['data'] }
}

/** The rows [start, start + rows) of an output whose dims[0] is `total`. */
export function sliceRows(t: BatchTensor, start: number, rows: number, total: number): BatchTensor {
  if (t.dims[0] !== total) throw new BatchShapeError(`output has ${t.dims[0]} rows for a batch of ${total}`)
  const width = total === 0 ? 0 : t.data.length / total
  const data =
    'subarray' in t.data && typeof t.data.subarray === 'function'
      ? (t.data.subarray as (a: number, b: number) => BatchTensor['data'])(
          start * width,
          (start + rows) * width,
        )
      : (t.data.slice(start * width, (start + rows) * width) as BatchTensor['data'])
  return { type: t.type, dims: [rows, ...t.dims.slice(1)], data }
}

export class MicroBatcher {
  private queue: Pending[] = []
  private queuedRows = 0
  private running = 0
  private immediate: NodeJS.Immediate | null = null
  private timer: NodeJS.Timeout | null = null
  private enabled: boolean
  private readonly maxConcurrent: number

  constructor(
    private readonly run: (feeds: Tensors) => Promise<Tensors>,
    private readonly opts: BatchingOptions,
    private readonly onRun: (rows: number) => void = () => {},
  ) {
    this.enabled = opts.enabled && opts.maxBatchSize > 1
    this.maxConcurrent = Math.max(1, opts.maxConcurrentRuns ?? 1)
  }

  submit(feeds: Tensors, rows: number): Promise<Tensors> {
    if (!this.enabled || rows >= this.opts.maxBatchSize) return this.runAlone(feeds, rows)
    return new Promise<Tensors>((resolve, reject) => {
      if (this.queuedRows + rows > this.opts.maxBatchSize) this.flush()
      this.queue.push({ feeds, rows, resolve, reject })
      this.queuedRows += rows
      if (this.queuedRows >= this.opts.maxBatchSize) this.flush()
      else if (this.running < this.maxConcurrent) this.flushSoon()
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs)
    })
  }

  private async runAlone(feeds: Tensors, rows: number): Promise<Tensors> {
    this.running++
    try {
      this.onRun(rows)
      return await this.run(feeds)
    } finally {
      this.running--
      if (this.queue.length > 0) this.flushSoon()
    }
  }

  private flushSoon(): void {
    this.immediate ??= setImmediate(() => {
      this.immediate = null
      this.flush()
    })
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    const items = this.queue
    if (items.length === 0) return
    const total = this.queuedRows
    this.queue = []
    this.queuedRows = 0
    this.running++
    this.onRun(total)
    void this.execute(items, total).finally(() => {
      this.running--
      if (this.queue.length > 0) this.flushSoon()
    })
  }

  private async execute(items: Pending[], total: number): Promise<void> {
    if (items.length === 1) {
      const only = items[0]!
      await this.run(only.feeds).then(only.resolve, only.reject)
      return
    }
    let out: Tensors
    try {
      const names = Object.keys(items[0]!.feeds)
      const feeds: Tensors = {}
      for (const name of names)
        feeds[name] = concatRows(
          items.map((i) => i.feeds[name]!),
          total,
        )
      out = await this.run(feeds)
    } catch {
      // One bad request must not fail the others: run each alone to tell whose it was.
      await this.each(items)
      return
    }
    try {
      let start = 0
      const parts = items.map((item) => {
        const part: Tensors = {}
        for (const [name, t] of Object.entries(out)) part[name] = sliceRows(t, start, item.rows, total)
        start += item.rows
        return part
      })
      items.forEach((item, i) => item.resolve(parts[i]!))
    } catch (err) {
      if (!(err instanceof BatchShapeError)) throw err
      // The model's outputs are not per row: batching cannot work for it.
      this.enabled = false
      await this.each(items)
    }
  }

  private async each(items: Pending[]): Promise<void> {
    await Promise.all(items.map((i) => this.run(i.feeds).then(i.resolve, i.reject)))
  }
}
