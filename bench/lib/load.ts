/** Load generation: pre-built log-batch bodies and a closed-loop driver with several clients. */
import { RssSampler, type ProcUsage } from './server-process.js'

/**
 * Log-batch bodies whose metric arrays are built once. Batch `i` holds points for keys
 * m0..m{keys-1} at steps i*stepsPerKey .. (i+1)*stepsPerKey-1, so every (run, key, step) is
 * distinct across the batches of one run, and a body for another run differs only in run_id:
 * sending batch i of run r and batch j of run s never repeats a point.
 */
export class BatchBodies {
  private readonly tails: Buffer[] = []
  private readonly heads = new Map<string, Buffer>()
  readonly pointsPerBatch: number

  constructor(
    readonly batches: number,
    opts: { keys?: number; stepsPerKey?: number; baseTimestamp?: number; keyPrefix?: string } = {},
  ) {
    const keys = opts.keys ?? 10
    const steps = opts.stepsPerKey ?? 100
    const ts = opts.baseTimestamp ?? 1_700_000_000_000
    const prefix = opts.keyPrefix ?? 'm'
    this.pointsPerBatch = keys * steps
    for (let b = 0; b < batches; b++) {
      const items: string[] = []
      for (let k = 0; k < keys; k++) {
        for (let s = 0; s < steps; s++) {
          const step = b * steps + s
          const value = pointValue(k, step)
          items.push(`{"key":"${prefix}${k}","value":${value},"timestamp":${ts + step},"step":${step}}`)
        }
      }
      this.tails.push(Buffer.from(`","metrics":[${items.join(',')}]}`))
    }
  }

  body(runId: string, batch: number): Buffer {
    let head = this.heads.get(runId)
    if (!head) {
      head = Buffer.from(`{"run_id":"${runId}`)
      this.heads.set(runId, head)
    }
    return Buffer.concat([head, this.tails[batch]!])
  }
}

/** The value logged for metric key index `k` at `step` (deterministic, so tests can check it). */
export function pointValue(k: number, step: number): number {
  return Math.round(Math.sin(step * 0.001 + k) * 1e9) / 1e9
}

export interface SustainOptions {
  clients: number
  warmupMs: number
  durationMs: number
  /** One unit of work by client `c`; resolves to the units completed (points, calls, runs). */
  step: (c: number) => Promise<number>
  /** Server process to watch (peak RSS, CPU use) during the measured window. */
  pid?: number
}

export interface SustainResult {
  units: number
  seconds: number
  perSecond: number
  /** Units completed in each whole second of the measured window. */
  buckets: number[]
  errors: number
  firstError?: string
  /** The server's peak RSS and CPU use during the window, when `pid` was given. */
  server?: ProcUsage
  /** CPU this (client) process used during the window, in cores. */
  clientCores: number
}

/**
 * Closed loop: each client does `step` back to back. Work finishing during the warmup or after
 * the window is not counted; the rate is units finished inside the window over its length.
 */
export async function sustain(opts: SustainOptions): Promise<SustainResult> {
  const t0 = performance.now() + opts.warmupMs
  const t1 = t0 + opts.durationMs
  const buckets = new Array<number>(Math.ceil(opts.durationMs / 1000)).fill(0)
  let units = 0
  let errors = 0
  let firstError: string | undefined
  let sampler: RssSampler | undefined
  let usage: ProcUsage | undefined
  let clientStart: NodeJS.CpuUsage | undefined
  let clientCores = Number.NaN
  setTimeout(() => (clientStart = process.cpuUsage()), opts.warmupMs)
  setTimeout(() => {
    const used = process.cpuUsage(clientStart)
    clientCores = Math.round((used.user + used.system) / 10 / opts.durationMs) / 100
  }, opts.warmupMs + opts.durationMs)
  const watch = opts.pid
  if (watch !== undefined) {
    setTimeout(() => (sampler = new RssSampler(watch)), opts.warmupMs)
    setTimeout(() => (usage = sampler?.usage()), opts.warmupMs + opts.durationMs)
  }
  const client = async (c: number): Promise<void> => {
    while (performance.now() < t1) {
      try {
        const done = await opts.step(c)
        const now = performance.now()
        if (now >= t0 && now <= t1) {
          units += done
          buckets[Math.min(buckets.length - 1, Math.floor((now - t0) / 1000))]! += done
        }
      } catch (err) {
        errors++
        firstError ??= err instanceof Error ? err.message : String(err)
        if (errors > 100) throw new Error(`too many errors; first: ${firstError}`)
      }
    }
  }
  await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c)))
  const seconds = opts.durationMs / 1000
  usage ??= sampler?.usage()
  return {
    units,
    seconds,
    perSecond: units / seconds,
    buckets,
    errors,
    clientCores,
    ...(firstError ? { firstError } : {}),
    ...(usage ? { server: usage } : {}),
  }
}
