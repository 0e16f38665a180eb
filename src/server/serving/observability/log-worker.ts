/**
 * The prediction-log writer thread: turning records into JSON text is the costly part of the log
 * (every input and output number is formatted), so it happens here, beside the event loop that
 * answers requests. Messages come from log-writer.ts.
 */
import { parentPort } from 'node:worker_threads'
import { JsonlLog, type JsonlLogOptions } from './jsonl-log.js'
import { feedbackLine, predictionLine, type FeedbackRecord, type PredictionRecord } from './prediction-log.js'

export type ToWorker =
  | { t: 'open'; id: number; opts: Pick<JsonlLogOptions, 'dir' | 'maxFileBytes' | 'maxTotalBytes'> }
  | {
      t: 'batch'
      items: (
        { id: number; kind: 'p'; rec: PredictionRecord } | { id: number; kind: 'f'; rec: FeedbackRecord }
      )[]
    }
  | { t: 'flush'; seq: number }
  | { t: 'close'; seq: number }

export type FromWorker =
  | { t: 'written'; n: number }
  | { t: 'dropped'; n: number }
  | { t: 'error'; message: string }
  | { t: 'done'; seq: number }

const port = parentPort!
const logs = new Map<number, { predictions: JsonlLog; feedback: JsonlLog }>()
const send = (m: FromWorker): void => port.postMessage(m)

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'open': {
      const hooks = {
        onDrop: (n: number) => send({ t: 'dropped', n }),
        onError: (err: unknown) => send({ t: 'error', message: (err as Error).message }),
        onWritten: (n: number) => send({ t: 'written', n }),
      }
      logs.set(m.id, {
        predictions: new JsonlLog({ ...m.opts, ...hooks, prefix: 'predictions' }),
        feedback: new JsonlLog({ ...m.opts, ...hooks, prefix: 'feedback' }),
      })
      return
    }
    case 'batch':
      for (const item of m.items) {
        const log = logs.get(item.id)
        if (!log) continue
        if (item.kind === 'p') {
          const rec = item.rec
          log.predictions.append(() => predictionLine(rec))
        } else {
          const rec = item.rec
          log.feedback.append(() => feedbackLine(rec))
        }
      }
      return
    case 'flush':
    case 'close': {
      const all = [...logs.values()].flatMap((l) => [l.predictions, l.feedback])
      void Promise.all(all.map((l) => (m.t === 'close' ? l.close() : l.flush()))).then(
        () => send({ t: 'done', seq: m.seq }),
        (err: unknown) => {
          send({ t: 'error', message: (err as Error).message })
          send({ t: 'done', seq: m.seq })
        },
      )
    }
  }
})
