/**
 * The background log queue of one run. Logging calls append to a bounded in-memory queue and
 * return at once; a single sender drains it as log-batch requests (see batches.ts), one at a
 * time, so the server sees each run's points in the order they were logged.
 *
 * - Bounded: at most `maxQueueSize` entities are queued or in flight. When full, `enqueue`
 *   returns a promise that resolves once there is room; nothing is dropped. Callers that do not
 *   await it lose that backpressure (their entries wait in an unbounded line instead).
 * - A drain starts when a full request's worth is queued, else `flushIntervalMs` after the
 *   first queued entry (the timer is unref'd: it never keeps a process alive by itself).
 * - Failed requests (4xx, or 5xx/429/network after the HTTP client's retries) are dropped,
 *   reported to `onError`, and make the next `flush()` reject with a CairnBatchError.
 */
import { CairnBatchError, type DroppedEntities } from './errors.js'
import { BATCH_LIMITS, countEntities, planBatches, type BatchContent } from './batches.js'

export interface BatcherOptions {
  runId: string
  /** Sends one log-batch request (with the HTTP client's retries); rejects when it is given up. */
  send: (batch: BatchContent) => Promise<void>
  maxQueueSize: number
  flushIntervalMs: number
  onError: (err: Error, batch: BatchContent) => void
}

interface Waiter {
  entries: BatchContent
  resolve: () => void
}

const emptyContent = (): BatchContent => ({ params: [], tags: [], metrics: [] })

export class LogBatcher {
  private queued: BatchContent = emptyContent()
  /** Entities queued or in flight. */
  private size = 0
  private readonly waiters: Waiter[] = []
  private timer: NodeJS.Timeout | null = null
  /** A drain pass that is waiting for the current one; later triggers join it. */
  private scheduled: Promise<void> | null = null
  private chain: Promise<void> = Promise.resolve()
  private failures: Error[] = []
  private dropped: DroppedEntities = { metrics: 0, params: 0, tags: 0 }
  private closedReason: string | null = null

  constructor(private readonly opts: BatcherOptions) {}

  /** Entities queued, in flight, or waiting for room. */
  get pending(): number {
    return this.size + this.waiters.reduce((n, w) => n + countEntities(w.entries), 0)
  }

  enqueue(entries: BatchContent): Promise<void> {
    if (this.closedReason !== null) return Promise.reject(new Error(this.closedReason))
    if (this.waiters.length === 0 && this.fits(countEntities(entries))) {
      this.push(entries)
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      this.waiters.push({ entries, resolve })
      void this.schedulePass()
    })
  }

  /**
   * Sends everything logged so far and resolves when the server has it; rejects with a
   * CairnBatchError if any request failed since the previous flush.
   */
  async flush(): Promise<void> {
    do await this.schedulePass()
    while (countEntities(this.queued) > 0 || this.waiters.length > 0)
    const failures = this.failures
    if (failures.length === 0) return
    const dropped = this.dropped
    this.failures = []
    this.dropped = { metrics: 0, params: 0, tags: 0 }
    throw new CairnBatchError(this.opts.runId, failures, dropped)
  }

  /** Flushes, then refuses further entries with `reason`. */
  async close(reason: string): Promise<void> {
    try {
      await this.flush()
    } finally {
      this.closedReason = reason
      this.clearTimer()
    }
  }

  private fits(n: number): boolean {
    return this.size === 0 || this.size + n <= this.opts.maxQueueSize
  }

  private push(entries: BatchContent): void {
    // Loops, not push(...spread): a huge single call must not overflow the argument stack.
    for (const p of entries.params) this.queued.params.push(p)
    for (const t of entries.tags) this.queued.tags.push(t)
    for (const m of entries.metrics) this.queued.metrics.push(m)
    this.size += countEntities(entries)
    this.kick()
  }

  private release(n: number): void {
    this.size -= n
    while (this.waiters.length > 0 && this.fits(countEntities(this.waiters[0]!.entries))) {
      const w = this.waiters.shift()!
      this.push(w.entries)
      w.resolve()
    }
  }

  /** Starts a drain when a full request is queued, else arms the interval timer. */
  private kick(): void {
    const q = this.queued
    if (countEntities(q) === 0) return
    if (
      q.metrics.length >= BATCH_LIMITS.metrics ||
      q.params.length >= BATCH_LIMITS.params ||
      q.tags.length >= BATCH_LIMITS.tags
    ) {
      void this.schedulePass()
    } else if (this.timer === null && this.scheduled === null) {
      this.timer = setTimeout(() => {
        this.timer = null
        void this.schedulePass()
      }, this.opts.flushIntervalMs)
      this.timer.unref()
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private schedulePass(): Promise<void> {
    this.clearTimer()
    if (this.scheduled !== null) return this.scheduled
    const pass = this.chain.then(() => {
      this.scheduled = null
      return this.drainPass()
    })
    this.scheduled = pass
    this.chain = pass
    return pass
  }

  /** Sends everything queued when the pass starts. Never rejects: failures are recorded. */
  private async drainPass(): Promise<void> {
    const taken = this.queued
    this.queued = emptyContent()
    const plan = planBatches(taken)
    // Tags collapsed by key are never sent; their room is free now.
    this.release(countEntities(taken) - plan.reduce((n, b) => n + countEntities(b), 0))
    for (const batch of plan) {
      try {
        await this.opts.send(batch)
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        this.failures.push(error)
        this.dropped.metrics += batch.metrics.length
        this.dropped.params += batch.params.length
        this.dropped.tags += batch.tags.length
        try {
          this.opts.onError(error, batch)
        } catch {
          // A throwing onError must not stop the sender.
        }
      } finally {
        this.release(countEntities(batch))
      }
    }
    this.kick()
  }
}
