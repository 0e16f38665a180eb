/**
 * Serving inside your own program: `openServedModel('models:/sp500@champion')` loads what the URI
 * names, follows it (hot swap on the poll interval), and gives `predict(features)` — the same path
 * as `POST /predict` (signature checks, micro-batching, prediction log, metrics) without HTTP.
 * `handle(req, res)` answers the serving routes for a node:http server of your own.
 *
 * ```ts
 * const model = await openServedModel('models:/sp500@champion', { trackingUri: 'http://127.0.0.1:5000', labels: ['DOWN', 'UP'] })
 * const answer = await model.predict({ ret_1d: 0.004, ret_5d: -0.01 })   // { prediction: 'UP', confidence: 0.61, … }
 * await model.close()
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { authHeaders, resolveTrackingUri } from '../../client/config.js'
import { CairnError } from '../../protocol/errors.js'
import { cairnHome } from '../config.js'
import { silentLogger, type Logger } from '../logging.js'
import type { BatchingOptions } from './batching/micro-batcher.js'
import { absoluteModelUri, defaultServingConfig } from './config.js'
import type { Deployment } from './deployment/deployment.js'
import { createServingApp } from './http/serving-app.js'
import { newRequestId } from './http/answer.js'
import { enforceSchema } from './input/enforce.js'
import { parseScoringJson } from './input/payload.js'
import { mlflowPredictionsJson } from './protocols/output-format.js'
import { predictFeatures, type PredictAnswer } from './protocols/predict-routes.js'
import { ServingService, type PredictionLogConfig } from './serving-service.js'
import { ModelCache } from './sources/cache.js'
import { TrackingServerModelSource } from './sources/http-source.js'
import type { ModelSource } from './sources/model-source.js'
import type { ValidationMode } from './validation/inline-validation.js'

export type { PredictAnswer }

export interface ServedModelOptions {
  /** Resolves `models:/` and `runs:/` URIs (default CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI, http://127.0.0.1:5000); a local folder needs none. */
  trackingUri?: string
  /** Another model source instead of a tracking server. */
  source?: ModelSource
  /** Served name (default: the registered model's). */
  name?: string
  /** Class names, index i naming class i (default: the MLmodel's `metadata.classes`). */
  labels?: string[]
  /** Default decision threshold (binary classifiers: 0.5). */
  threshold?: number
  /** How often an alias, stage or latest is re-resolved, in ms; 0 never (default 10,000). */
  pollIntervalMs?: number
  batching?: Partial<BatchingOptions>
  /** `false`: no prediction log; default on, in `$CAIRN_HOME/predictions/<name>/`. */
  predictionLog?: false | Partial<Omit<PredictionLogConfig, 'enabled'>>
  /** Where downloaded models are kept (default `$CAIRN_HOME/models`). */
  cacheDir?: string
  /** Check requests against the version's stored data expectations (docs/serving.md, "Inline validation"); default off. */
  validate?: ValidationMode
  /** Default: silent. */
  logger?: Logger
  env?: NodeJS.ProcessEnv
}

export interface ScoreAnswer {
  /** What `POST /invocations` answers under `predictions`. */
  predictions: unknown
  modelUri: string
  modelVersion: string | null
  requestId: string
}

export interface ServedModel {
  readonly name: string
  /** The engine underneath (deployments, metrics, routes). */
  readonly service: ServingService
  /** The version answering now (null for a folder or a runs:/ URI, or before a load succeeded). */
  version(): string | null
  /** One row of named features → label, confidence, threshold and origin, as `POST /predict`. */
  predict(
    features: Record<string, unknown>,
    opts?: { threshold?: number; requestId?: string },
  ): Promise<PredictAnswer>
  /** An MLflow scoring body (`dataframe_split`, `dataframe_records`, `instances`, `inputs`) → its predictions. */
  score(body: unknown, opts?: { requestId?: string }): Promise<ScoreAnswer>
  /** Ground truth for an earlier request id, appended to the feedback log. */
  feedback(requestId: string, groundTruth: unknown): void
  /** Answers the serving routes (/invocations, /predict, /feedback, /v2/…, /metrics, /ping) for a node:http server. */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** Stops following the URI, writes out the prediction log and frees the model. */
  close(): Promise<void>
}

/** Loads the model a URI names (throwing when it cannot) and keeps it served until `close()`. */
export async function openServedModel(uri: string, opts: ServedModelOptions = {}): Promise<ServedModel> {
  const env = opts.env ?? process.env
  const home = cairnHome(env)
  const logger = opts.logger ?? silentLogger()
  const config = defaultServingConfig(home, [
    {
      uri: absoluteModelUri(uri),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    },
  ])
  if (opts.pollIntervalMs !== undefined) config.pollIntervalMs = opts.pollIntervalMs
  if (opts.validate !== undefined) config.validation = opts.validate
  config.batching = { ...config.batching, ...opts.batching }
  config.predictionLog =
    opts.predictionLog === false
      ? { ...config.predictionLog, enabled: false }
      : { ...config.predictionLog, ...opts.predictionLog }
  const source =
    opts.source ??
    TrackingServerModelSource.create(
      resolveTrackingUri(opts.trackingUri, env),
      new ModelCache(opts.cacheDir ?? join(home, 'models')),
      authHeaders(env),
    )
  const service = new ServingService(config, { source, logger })
  await service.start({ requireLoaded: true })
  const dep: Deployment = service.deployments[0]!
  const app = createServingApp(service.routes({ standalone: true }), {
    log: logger,
    maxRequestBytes: config.maxRequestBytes,
  })

  return {
    name: dep.name,
    service,
    version: () => dep.primary.model?.origin.version ?? null,
    predict: (features, o = {}) =>
      predictFeatures(service, dep, features, {
        requestId: o.requestId ?? newRequestId(),
        ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
      }),
    async score(body, o = {}) {
      const req = parseScoringJson(body)
      const requestId = o.requestId ?? req.requestId ?? newRequestId()
      const served = await dep.predict(
        (model) => enforceSchema(req.payload, model.signature?.inputs ?? null).input,
        req.params,
        { requestId, protocol: 'mlflow', started: process.hrtime.bigint() },
      )
      const { predictions } = JSON.parse(mlflowPredictionsJson(served.prediction)) as { predictions: unknown }
      return {
        predictions,
        modelUri: served.model.origin.uri,
        modelVersion: served.model.origin.version,
        requestId,
      }
    },
    feedback(requestId, groundTruth) {
      const log = service.logs.get(dep.name)
      if (!log)
        throw new CairnError('INVALID_STATE', 'The prediction log is off: feedback has nowhere to go.')
      log.recordFeedback({ ts: Date.now(), requestId, model: dep.name, groundTruth })
    },
    handle: (req, res) => app.handle(req, res),
    close: () => service.close(),
  }
}
