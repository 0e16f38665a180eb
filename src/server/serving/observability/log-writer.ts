/**
 * The prediction and feedback logs of the served models. A request only queues its record; once
 * the event loop has sent the answers of this turn (setImmediate), the queued records become lines
 * in one buffer per log (prediction-log.ts), and every `flushIntervalMs` each buffer goes to its
 * file in one write (jsonl-log.ts).
 *
 * This runs on the event loop, not in a worker thread, on purpose: with bodies and answers copied
 * as sent, a line costs less than handing its record to another thread would (a structured clone),
 * and on a busy 2-core machine a writer thread competes for the core the load generator or the
 * onnxruntime needs anyway.
 *
 * `flush()` and `close()` resolve once everything recorded before them is written, so an answered
 * request's entry is on disk after a graceful shutdown. Entries beyond `maxOutstanding` recorded and
 * not yet written are dropped and counted rather than growing memory without bound.
 */
import { JsonlLog } from './jsonl-log.js'
import { LineBuffer } from './line-buffer.js'
import {
  feedbackLine,
  writePredictionLine,
  type FeedbackRecord,
  type PredictionRecord,
} from './prediction-log.js'

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

interface Sink {
  file: JsonlLog
  lines: LineBuffer
}

interface Opened {
  predictions: Sink
  feedback: Sink
  queued: PredictionRecord[]
  queuedFeedback: FeedbackRecord[]
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

export class LogWriter {
  private readonly opened: Opened[] = []
  /** Entries recorded and not yet written or dropped. */
  private outstanding = 0
  private building: NodeJS.Immediate | null = null
  private timer: NodeJS.Timeout | null = null
  private closing: Promise<void> | null = null

  constructor(
    private readonly hooks: LogHooks = {},
    private readonly opts: { flushIntervalMs?: number; maxOutstanding?: number } = {},
  ) {}

  /** The logs of one model, in `limits.dir`. */
  open(limits: LogLimits): PredictionLog {
    const onError = (err: unknown): void => this.hooks.onError?.(message(err))
    const sink = (prefix: string): Sink => ({
      file: new JsonlLog({ ...limits, prefix, onError }),
      lines: new LineBuffer(),
    })
    const o: Opened = {
      predictions: sink('predictions'),
      feedback: sink('feedback'),
      queued: [],
      queuedFeedback: [],
    }
    this.opened.push(o)
    return {
      record: (rec) => {
        if (this.admit()) o.queued.push(rec)
      },
      recordFeedback: (rec) => {
        if (this.admit()) o.queuedFeedback.push(rec)
      },
    }
  }

  private admit(): boolean {
    if (this.closing) return false
    if (this.outstanding >= (this.opts.maxOutstanding ?? 100_000)) {
      this.hooks.onDrop?.(1)
      return false
    }
    this.outstanding++
    this.building ??= setImmediate(() => this.build())
    return true
  }

  private dropped(n: number, why?: string): void {
    this.outstanding -= n
    this.hooks.onDrop?.(n)
    if (why !== undefined) this.hooks.onError?.(why)
  }

  /** Turns the queued records into lines. */
  private build(): void {
    if (this.building) clearImmediate(this.building)
    this.building = null
    let any = false
    for (const o of this.opened) {
      if (o.queued.length > 0) {
        const records = o.queued
        o.queued = []
        for (const r of records) {
          try {
            writePredictionLine(r, o.predictions.lines)
            o.predictions.lines.endLine()
          } catch (err) {
            o.predictions.lines.abandonLine()
            this.dropped(1, `a prediction log entry cannot be written: ${message(err)}`)
          }
        }
        any = true
      }
      if (o.queuedFeedback.length > 0) {
        for (const f of o.queuedFeedback) {
          try {
            o.feedback.lines.str(feedbackLine(f))
            o.feedback.lines.endLine()
          } catch (err) {
            o.feedback.lines.abandonLine()
            this.dropped(1, `a feedback entry cannot be written: ${message(err)}`)
          }
        }
        o.queuedFeedback = []
        any = true
      }
    }
    if (any) this.timer ??= setTimeout(() => this.write(), this.opts.flushIntervalMs ?? 10)
  }

  /** Hands each log's lines to its file. */
  private write(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    for (const o of this.opened) {
      for (const sink of [o.predictions, o.feedback]) {
        if (sink.lines.lines === 0) continue
        const { bytes, lines } = sink.lines.take()
        sink.file.write(bytes, (written) => {
          sink.lines.recycle(bytes)
          if (written) this.outstanding -= lines
          else this.dropped(lines)
        })
      }
    }
  }

  /** Resolves once everything recorded so far is written. */
  async flush(): Promise<void> {
    this.build()
    this.write()
    await Promise.all(this.opened.flatMap((o) => [o.predictions.file.flush(), o.feedback.file.flush()]))
  }

  /** Writes everything recorded so far and closes the files; later records are ignored. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.flush()
      await Promise.all(this.opened.flatMap((o) => [o.predictions.file.close(), o.feedback.file.close()]))
    })())
  }
}
