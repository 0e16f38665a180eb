/**
 * A run being logged to. Params, tags and metrics go through the run's background queue
 * (batcher.ts): the logging calls validate their input with MLflow's rules, queue it and return
 * at once, so training code never waits for the network unless the queue is full.
 */
import { basename, join } from 'node:path'
import type { RunInfo, RunStatus } from '../protocol/entities.js'
import { CairnError } from '../protocol/errors.js'
import { TRACKING_API } from '../protocol/tracking-api.js'
import { validateMetric, validateParam, validateTag } from '../protocol/validation.js'
import { artifactBaseUrl, forEachLimited, joinArtifactPath, listFiles, uploadFile } from './artifacts.js'
import { LogBatcher } from './batcher.js'
import type { BatchContent, KeyValue, MetricPoint } from './batches.js'
import type { ExitAware } from './exit-hooks.js'
import type { HttpClient } from './http.js'
import { logModel, type LoggedModel, type LogModelOptions } from './log-model.js'
import type { ModelSource } from '../models/save-model.js'

export type ParamValue = string | number | boolean

export interface ErrorContext {
  runId: string
  /** The request that was given up, for background send failures. */
  batch?: BatchContent
}

/** What a run needs from the client that started it. */
export interface RunContext {
  http: HttpClient
  now: () => number
  maxQueueSize: number
  flushIntervalMs: number
  onError: (err: Error, context: ErrorContext) => void
  /** Called once the run has ended (to stop tracking it for exit handling). */
  onEnded: (run: ActiveRun) => void
}

const ARTIFACT_UPLOAD_CONCURRENCY = 4

export class ActiveRun implements ExitAware {
  readonly runId: string
  readonly experimentId: string
  /** The run as it was when started or resumed. */
  readonly info: RunInfo
  private readonly batcher: LogBatcher
  private readonly params = new Map<string, string>()
  private ending: Promise<void> | null = null

  constructor(
    private readonly ctx: RunContext,
    info: RunInfo,
    existingParams: KeyValue[] = [],
  ) {
    this.info = info
    this.runId = info.runId
    this.experimentId = info.experimentId
    for (const p of existingParams) this.params.set(p.key, p.value)
    this.batcher = new LogBatcher({
      runId: info.runId,
      maxQueueSize: ctx.maxQueueSize,
      flushIntervalMs: ctx.flushIntervalMs,
      send: async (batch) => {
        await ctx.http.call(TRACKING_API.logBatch, { run_id: this.runId, ...batch })
      },
      onError: (err, batch) => ctx.onError(err, { runId: this.runId, batch }),
    })
  }

  /** True once endRun was called. */
  get ended(): boolean {
    return this.ending !== null
  }

  /** Entities logged but not yet acknowledged by the server. */
  get pending(): number {
    return this.batcher.pending
  }

  /**
   * Queues params. Params are write-once: re-logging a key with the same value is a no-op, with
   * another value it rejects at once (as the server would, later).
   */
  logParams(params: Record<string, ParamValue>): Promise<void> {
    return this.guard(() => {
      const fresh: KeyValue[] = []
      const seen = new Map<string, string>()
      for (const [key, raw] of Object.entries(params)) {
        const value = String(raw)
        validateParam(key, value)
        const previous = this.params.get(key) ?? seen.get(key)
        if (previous === undefined) {
          seen.set(key, value)
          fresh.push({ key, value })
        } else if (previous !== value) {
          throw new CairnError(
            'INVALID_PARAMETER_VALUE',
            `Changing param values is not allowed. Param with key='${key}' was already logged with value='${previous}' for run ID='${this.runId}'. Attempted logging new value '${value}'.`,
          )
        }
      }
      for (const p of fresh) this.params.set(p.key, p.value)
      return fresh.length === 0
        ? Promise.resolve()
        : this.batcher.enqueue({ params: fresh, tags: [], metrics: [] })
    })
  }

  logParam(key: string, value: ParamValue): Promise<void> {
    return this.logParams({ [key]: value })
  }

  /**
   * Queues one point per metric, all at `step` (default 0) and `timestamp` (default now).
   * Resolves at once unless the queue is full; then it resolves when there is room.
   */
  logMetrics(metrics: Record<string, number>, step = 0, timestamp?: number): Promise<void> {
    return this.guard(() => {
      const ts = timestamp ?? this.ctx.now()
      const points: MetricPoint[] = []
      for (const [key, value] of Object.entries(metrics)) {
        if (typeof value !== 'number') {
          throw new CairnError(
            'INVALID_PARAMETER_VALUE',
            `Got invalid value ${String(value)} for metric '${key}'`,
          )
        }
        validateMetric(key, value, ts, step)
        points.push({ key, value, timestamp: ts, step })
      }
      return this.batcher.enqueue({ params: [], tags: [], metrics: points })
    })
  }

  logMetric(key: string, value: number, step = 0, timestamp?: number): Promise<void> {
    return this.logMetrics({ [key]: value }, step, timestamp)
  }

  /** Queues tags; tags are mutable, the last value set wins. */
  setTags(tags: Record<string, ParamValue>): Promise<void> {
    return this.guard(() => {
      const list: KeyValue[] = Object.entries(tags).map(([key, raw]) => {
        const value = String(raw)
        validateTag(key, value)
        return { key, value }
      })
      return this.batcher.enqueue({ params: [], tags: list, metrics: [] })
    })
  }

  setTag(key: string, value: ParamValue): Promise<void> {
    return this.setTags({ [key]: value })
  }

  /** Uploads one file (streamed) to `<artifactPath>/<file name>` in the run's artifacts. */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const base = artifactBaseUrl(this.info.artifactUri, this.ctx.http.trackingUri)
    await uploadFile(
      this.ctx.http,
      { base, artifactPath: joinArtifactPath(artifactPath, basename(localPath)) },
      localPath,
    )
  }

  /** Uploads every file below `dir`, keeping the folder layout, under `artifactPath`. */
  async logArtifacts(dir: string, artifactPath?: string): Promise<void> {
    const base = artifactBaseUrl(this.info.artifactUri, this.ctx.http.trackingUri)
    const files = await listFiles(dir)
    await forEachLimited(files, ARTIFACT_UPLOAD_CONCURRENCY, (rel) =>
      uploadFile(this.ctx.http, { base, artifactPath: joinArtifactPath(artifactPath, rel) }, join(dir, rel)),
    )
  }

  /**
   * Saves `model` (onnx or js flavor, MLflow's layout), uploads it to `<artifactPath>/` in the
   * run's artifacts, records it in the run's `mlflow.log-model.history` tag and, with
   * `registeredModelName`, registers it. The input signature is inferred from `inputExample`.
   *
   * @example
   * const lr = LogisticRegression.fit(x, y)
   * await run.logModel('model', { flavor: 'onnx', onnx: lr.toOnnx() }, {
   *   inputExample: rows.slice(0, 5),
   *   registeredModelName: 'sp500',
   * })
   */
  logModel(artifactPath: string, model: ModelSource, opts: LogModelOptions = {}): Promise<LoggedModel> {
    if (this.ending !== null) {
      return Promise.reject(new Error(`Run ${this.runId} has ended; start or resume a run to log to it.`))
    }
    return logModel(
      { runId: this.runId, http: this.ctx.http, logArtifacts: (dir, path) => this.logArtifacts(dir, path) },
      artifactPath,
      model,
      opts,
    )
  }

  /** Sends everything queued; rejects with a CairnBatchError if anything could not be logged. */
  flush(): Promise<void> {
    return this.batcher.flush()
  }

  /**
   * Flushes, then marks the run ended with `status` (default FINISHED). The run is ended even
   * when the flush failed; the flush error is thrown afterwards. Calling it again is a no-op.
   */
  endRun(status: RunStatus = 'FINISHED'): Promise<void> {
    this.ending ??= this.finish(status)
    return this.ending
  }

  /** Exit handling: end the run, reporting (never throwing) what went wrong. */
  async finishOnExit(status: RunStatus): Promise<void> {
    try {
      await this.endRun(status)
    } catch (err) {
      this.ctx.onError(err instanceof Error ? err : new Error(String(err)), { runId: this.runId })
    }
  }

  private async finish(status: RunStatus): Promise<void> {
    let flushError: Error | null = null
    try {
      await this.batcher.close(`Run ${this.runId} has ended; start or resume a run to log to it.`)
    } catch (err) {
      flushError = err instanceof Error ? err : new Error(String(err))
    }
    try {
      await this.ctx.http.call(TRACKING_API.updateRun, {
        run_id: this.runId,
        status,
        end_time: this.ctx.now(),
      })
    } finally {
      this.ctx.onEnded(this)
    }
    if (flushError !== null) throw flushError
  }

  /** Validation errors become rejections, and nothing is queued after endRun. */
  private guard(fn: () => Promise<void>): Promise<void> {
    if (this.ending !== null) {
      return Promise.reject(new Error(`Run ${this.runId} has ended; start or resume a run to log to it.`))
    }
    try {
      return fn()
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
