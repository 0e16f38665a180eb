/**
 * The main-thread side of the prediction logs: records are queued on the request path (nothing is
 * serialized there) and handed to one writer thread (log-worker.ts) every few milliseconds, as
 * structured clones. `flush()` and `close()` resolve once the thread has written everything handed
 * over so far, so an answered request's entry is on disk after a graceful shutdown. Entries beyond
 * `maxOutstanding` not yet written are dropped and counted rather than growing memory without
 * bound. Outputs of one micro-batch are views of one buffer, which a message clones once for all
 * the records that view it, so records are handed over as they are.
 *
 * The thread is unref'd (a forgotten writer never keeps a process alive) except while a flush or
 * close is waiting for it. A thread that dies is reported, its unwritten entries counted as
 * dropped, and a new one started for the next entry.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './log-worker.js'
import type { FeedbackRecord, PredictionRecord } from './prediction-log.js'

export interface LogLimits {
  dir: string
  maxFileBytes: number
  maxTotalBytes: number
}

export interface LogHooks {
  onDrop?: (n: number) => void
  onError?: (message: string) => void
}

/** The prediction and feedback logs of one served model. */
export interface PredictionLog {
  record(r: PredictionRecord): void
  recordFeedback(f: FeedbackRecord): void
}

type Item = Extract<ToWorker, { t: 'batch' }>['items'][number]

/**
 * The sibling log-worker module in a thread: the built .js, or, when running from the TypeScript
 * sources (tsx, vitest), the .ts file loaded through tsx's API (workers do not inherit loaders).
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./log-worker.js', import.meta.url))
  // An absolute URL: a bare 'tsx/esm/api' would resolve from the process's working directory.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api')
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href
  const file = new URL('./log-worker.ts', import.meta.url).href
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(file)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(code, { eval: true })
}

export class LogWriter {
  private worker: Worker | null = null
  private readonly opened = new Map<number, LogLimits>()
  private nextId = 0
  private queue: Item[] = []
  private timer: NodeJS.Timeout | null = null
  /** Entries handed over (or queued) and not yet written or dropped. */
  private outstanding = 0
  private seq = 0
  private readonly waiting = new Map<number, () => void>()
  private closing: Promise<void> | null = null

  constructor(
    private readonly hooks: LogHooks = {},
    private readonly opts: { flushIntervalMs?: number; maxOutstanding?: number } = {},
  ) {}

  private thread(): Worker {
    if (this.worker) return this.worker
    const w = spawnWorker()
    w.unref()
    w.on('message', (m: FromWorker) => {
      if (m.t === 'written') this.outstanding -= m.n
      else if (m.t === 'dropped') {
        this.outstanding -= m.n
        this.hooks.onDrop?.(m.n)
      } else if (m.t === 'error') this.hooks.onError?.(m.message)
      else this.settle(m.seq)
    })
    w.on('error', (err) => this.hooks.onError?.(`prediction log thread failed: ${err.message}`))
    w.on('exit', () => {
      if (this.worker !== w) return
      this.worker = null
      // Whatever it held is lost; nobody may wait for it forever.
      const queued = this.queue.length
      const lost = this.outstanding - queued
      if (lost > 0) this.hooks.onDrop?.(lost)
      this.outstanding = queued
      for (const seq of [...this.waiting.keys()]) this.settle(seq)
    })
    for (const [id, limits] of this.opened) w.postMessage({ t: 'open', id, opts: limits } satisfies ToWorker)
    this.worker = w
    return w
  }

  private settle(seq: number): void {
    const resolve = this.waiting.get(seq)
    this.waiting.delete(seq)
    if (this.waiting.size === 0) this.worker?.unref()
    resolve?.()
  }

  /** The logs of one model, in `limits.dir`. */
  open(limits: LogLimits): PredictionLog {
    const id = this.nextId++
    this.opened.set(id, limits)
    if (this.worker) this.worker.postMessage({ t: 'open', id, opts: limits } satisfies ToWorker)
    else this.thread()
    return {
      record: (rec) => this.push({ id, kind: 'p', rec }),
      recordFeedback: (rec) => this.push({ id, kind: 'f', rec }),
    }
  }

  private push(item: Item): void {
    if (this.closing) return
    if (this.outstanding >= (this.opts.maxOutstanding ?? 100_000)) {
      this.hooks.onDrop?.(1)
      return
    }
    this.outstanding++
    this.queue.push(item)
    this.timer ??= setTimeout(() => this.handOver(), this.opts.flushIntervalMs ?? 10)
  }

  private handOver(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.queue.length === 0) return
    const items = this.queue
    this.queue = []
    const w = this.thread()
    try {
      w.postMessage({ t: 'batch', items } satisfies ToWorker)
    } catch {
      // A value that cannot be cloned (a js model may answer anything): pass the others on.
      for (const item of items) {
        try {
          w.postMessage({ t: 'batch', items: [item] } satisfies ToWorker)
        } catch (err) {
          this.outstanding--
          this.hooks.onDrop?.(1)
          this.hooks.onError?.(`a prediction log entry cannot be written: ${(err as Error).message}`)
        }
      }
    }
  }

  private roundTrip(t: 'flush' | 'close'): Promise<void> {
    this.handOver()
    if (!this.worker) return Promise.resolve()
    const seq = ++this.seq
    const done = new Promise<void>((resolve) => this.waiting.set(seq, resolve))
    // Held open until the thread answers: a graceful stop must not exit before the log is written.
    this.worker.ref()
    this.worker.postMessage({ t, seq } satisfies ToWorker)
    return done
  }

  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void> {
    return this.roundTrip('flush')
  }

  /** Writes everything recorded so far, closes the files and ends the thread; later records are ignored. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.roundTrip('close')
      const w = this.worker
      this.worker = null
      await w?.terminate()
    })())
  }
}
