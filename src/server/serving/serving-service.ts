/**
 * The serving engine: the deployments (one per served model name), their model source, metrics
 * and prediction logs, and the routes of every protocol. `cairn serve` runs it alone
 * (standalone.ts); `cairn server --serve …` mounts the same routes beside the tracking API.
 */
import { join } from 'node:path'
import { CAIRN_VERSION } from '../../version.js'
import type { RouteDef } from '../http/route.js'
import type { Logger } from '../logging.js'
import type { BatchingOptions } from './batching/micro-batcher.js'
import { Deployment, servedName, type DeploymentConfig } from './deployment/deployment.js'
import { loadModelDir, validateModel } from './model/load-model.js'
import { ServingMetrics } from './observability/metrics.js'
import { LogWriter, type PredictionLog } from './observability/log-writer.js'
import { metricsRoutes } from './protocols/metrics-route.js'
import { mlflowRoutes } from './protocols/mlflow-routes.js'
import { oipRoutes } from './protocols/oip-routes.js'
import { predictRoutes } from './protocols/predict-routes.js'
import type { ModelSource } from './sources/model-source.js'
import { InlineValidation, type ValidationMode } from './validation/inline-validation.js'

export interface PredictionLogConfig {
  enabled: boolean
  /** Each model writes into `<dir>/<model name>/`. */
  dir: string
  maxFileBytes: number
  maxTotalBytes: number
}

export interface ServingConfig {
  deployments: DeploymentConfig[]
  /** How often movable URIs (aliases, stages, latest) are re-resolved; 0: never. */
  pollIntervalMs: number
  batching: BatchingOptions
  predictionLog: PredictionLogConfig
  /** Largest request body, in bytes. */
  maxRequestBytes: number
  /** Check requests against the served version's stored data expectations (default off; docs/serving.md). */
  validation?: ValidationMode
}

export interface ServingDeps {
  source: ModelSource
  logger: Logger
  /** Prometheus registry and metrics; a fresh one by default. */
  metrics?: ServingMetrics
  /** For tests: the canary draw. */
  random?: () => number
}

// 1024 rows, so that multi-row requests are batched too: each runtime call has a fixed cost
// (~25 µs for a small model) that 100-row requests otherwise pay one by one (bench/serving.ts:
// 100-row requests +15-25 % with 1024 against 64, single rows unchanged).
export const DEFAULT_BATCHING: BatchingOptions = { enabled: true, maxBatchSize: 1024, maxWaitMs: 2 }

/** What the protocol routes see. */
export interface ServingContext {
  deployments: readonly Deployment[]
  /** By served name; the first deployment when `name` is undefined or empty. */
  find(name: string | null | undefined): Deployment | undefined
  metrics: ServingMetrics
  logs: ReadonlyMap<string, PredictionLog>
  maxRequestBytes: number
  version: string
}

export class ServingService implements ServingContext {
  readonly deployments: Deployment[]
  readonly metrics: ServingMetrics
  readonly logs = new Map<string, PredictionLog>()
  private readonly writer: LogWriter
  readonly maxRequestBytes: number
  readonly version: string = CAIRN_VERSION

  constructor(
    readonly config: ServingConfig,
    deps: ServingDeps,
  ) {
    this.metrics = deps.metrics ?? new ServingMetrics()
    this.maxRequestBytes = config.maxRequestBytes
    const log = deps.logger.child({ component: 'serving' })
    this.writer = new LogWriter({
      onDrop: (n) => this.metrics.logDropped.inc(n),
      onError: (message) => log.error({ err: message }, 'prediction log write failed'),
    })
    const mode = config.validation ?? 'off'
    const validation =
      mode === 'off'
        ? null
        : new InlineValidation(mode, { source: deps.source, registry: this.metrics.registry, log })
    const names = new Set<string>()
    this.deployments = config.deployments.map((d) => {
      const name = servedName(d)
      if (names.has(name)) throw new Error(`Two served models are named '${name}'; give one a --name`)
      names.add(name)
      const plog = config.predictionLog.enabled
        ? this.writer.open({
            ...config.predictionLog,
            dir: join(config.predictionLog.dir, name.replace(/[^A-Za-z0-9._-]+/g, '_')),
          })
        : null
      if (plog) this.logs.set(name, plog)
      return new Deployment(d, {
        source: deps.source,
        log,
        metrics: this.metrics,
        pollIntervalMs: config.pollIntervalMs,
        predictionLog: plog,
        ...(validation ? { validation } : {}),
        ...(deps.random ? { random: deps.random } : {}),
        load: (dir, origin) =>
          loadModelDir(dir, origin, {
            batching: config.batching,
            onRun: this.metrics.batchObserver(origin.name),
          }),
        validate: async (model, dir) => {
          await validateModel(model, dir)
          await validation?.attach(model, dir)
        },
      })
    })
  }

  find(name: string | null | undefined): Deployment | undefined {
    if (name === null || name === undefined || name === '') return this.deployments[0]
    return this.deployments.find((d) => d.name === name)
  }

  /** Loads every model; with `requireLoaded`, throws when a primary model could not be loaded. */
  async start(opts: { requireLoaded: boolean }): Promise<void> {
    await Promise.all(this.deployments.map((d) => d.start()))
    if (!opts.requireLoaded) return
    const failed = this.deployments.filter((d) => !d.ready())
    if (failed.length > 0) {
      const why = failed
        .map((d) => `${d.name}: ${d.primary.status().lastError?.message ?? 'not loaded'}`)
        .join('; ')
      await this.close()
      throw new Error(`Cannot serve ${why}`)
    }
  }

  /** Routes of every protocol. `standalone` adds MLflow's /health and /version (cairn server has its own). */
  routes(opts: { standalone: boolean }): RouteDef[] {
    return [...mlflowRoutes(this, opts), ...oipRoutes(this), ...predictRoutes(this), ...metricsRoutes(this)]
  }

  /** Stops watching, disposes the models, writes out the prediction logs. */
  async close(): Promise<void> {
    await Promise.all(this.deployments.map((d) => d.stop()))
    await this.writer.close()
  }
}
