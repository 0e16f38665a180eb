/**
 * Cutting queued params, tags and metrics into log-batch requests within MLflow's limits
 * (1000 metrics, 100 params, 100 tags, 1000 entities, 1 MB of JSON per request).
 *
 * Params go in requests of their own, ahead of everything queued with them: params are
 * write-once, and MLflow's SQL store writes a batch in one transaction, so a param conflict in a
 * mixed request would also drop the metrics beside it. Tags are mutable, so several values of
 * one key collapse to the last one (what the server would end up with anyway), which also keeps
 * a request free of duplicate keys.
 */
import { LIMITS } from '../protocol/limits.js'

export interface KeyValue {
  key: string
  value: string
}

export interface MetricPoint {
  key: string
  value: number
  timestamp: number
  step: number
}

export interface BatchContent {
  params: KeyValue[]
  tags: KeyValue[]
  metrics: MetricPoint[]
}

export interface BatchLimits {
  metrics: number
  params: number
  tags: number
  entities: number
  /** Budget for the JSON body; kept under MLflow's 1,000,000 bytes with room for the envelope. */
  bytes: number
}

export const BATCH_LIMITS: BatchLimits = {
  metrics: LIMITS.maxMetricsPerBatch,
  params: LIMITS.maxParamsPerBatch,
  tags: LIMITS.maxTagsPerBatch,
  entities: LIMITS.maxEntitiesPerBatch,
  bytes: LIMITS.maxBatchRequestBytes - 10_000,
}

export const countEntities = (b: BatchContent): number => b.params.length + b.tags.length + b.metrics.length

// Keys are ASCII by MLflow's name rule; values may need escaping, so measure them exactly.
const kvBytes = (kv: KeyValue): number => 24 + kv.key.length + Buffer.byteLength(JSON.stringify(kv.value))
// Key plus the longest number spellings of value, timestamp and step, plus punctuation.
const metricBytes = (m: MetricPoint): number => 100 + m.key.length

/** Last value wins per key; keys keep the position of their last write. */
export function coalesceTags(tags: KeyValue[]): KeyValue[] {
  const last = new Map<string, string>()
  for (const t of tags) {
    last.delete(t.key)
    last.set(t.key, t.value)
  }
  return [...last].map(([key, value]) => ({ key, value }))
}

export function planBatches(queued: BatchContent, limits: BatchLimits = BATCH_LIMITS): BatchContent[] {
  const out: BatchContent[] = []
  let current: BatchContent = { params: [], tags: [], metrics: [] }
  let bytes = 0
  const cut = (): void => {
    if (countEntities(current) > 0) out.push(current)
    current = { params: [], tags: [], metrics: [] }
    bytes = 0
  }
  const room = (size: number): boolean =>
    countEntities(current) < limits.entities && (bytes + size <= limits.bytes || countEntities(current) === 0)

  for (const p of queued.params) {
    const size = kvBytes(p)
    if (current.params.length >= limits.params || !room(size)) cut()
    current.params.push(p)
    bytes += size
  }
  cut()

  const tags = coalesceTags(queued.tags)
  let ti = 0
  let mi = 0
  while (ti < tags.length || mi < queued.metrics.length) {
    for (; ti < tags.length && current.tags.length < limits.tags; ti++) {
      const size = kvBytes(tags[ti]!)
      if (!room(size)) break
      current.tags.push(tags[ti]!)
      bytes += size
    }
    for (; mi < queued.metrics.length && current.metrics.length < limits.metrics; mi++) {
      const size = metricBytes(queued.metrics[mi]!)
      if (!room(size)) break
      current.metrics.push(queued.metrics[mi]!)
      bytes += size
    }
    cut()
  }
  return out
}
