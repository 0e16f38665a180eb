/**
 * The prediction API: `GET /predictionForTomorrow[?threshold=0.3]` answers from the newest row of
 * the data and the model `models:/sp500-updown@champion`, beside Cairn's serving routes
 * (/invocations, /predict, /v2, /metrics, /health). The model is held by Cairn's serving engine
 * (src/server/serving): it resolves the alias through the tracking server, polls it, and swaps
 * to a new champion atomically once the new version loaded and answered its input example.
 *
 * confidence is P(UP); prediction is UP when P(UP) ≥ threshold (default 0.5).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { CairnError } from '../../../src/protocol/errors.js'
import { parseModelUri } from '../../../src/protocol/model-uri.js'
import { RawAnswer, type RequestContext, type RouteDef } from '../../../src/server/http/route.js'
import { silentLogger, type Logger } from '../../../src/server/logging.js'
import { defaultServingConfig } from '../../../src/server/serving/config.js'
import type { Deployment } from '../../../src/server/serving/deployment/deployment.js'
import { createServingApp } from '../../../src/server/serving/http/serving-app.js'
import { ServingService } from '../../../src/server/serving/serving-service.js'
import { ModelCache } from '../../../src/server/serving/sources/cache.js'
import { TrackingServerModelSource } from '../../../src/server/serving/sources/http-source.js'
import type { LoadedModel, ModelInput, Prediction } from '../../../src/server/serving/types.js'
import { LatestFeatures, type LatestRow } from './latest.js'

export const DEFAULT_MODEL_URI = 'models:/sp500-updown@champion'

export interface PredictionApiOptions {
  trackingUri: string
  /** The price data: a path (relative to `cwd`) or an http(s) URL. */
  data: string
  cwd?: string
  /** Model cache and prediction log live here. */
  home: string
  modelUri?: string
  host?: string
  /** 0: any free port. */
  port?: number
  /** How often the alias is re-resolved (default 2 s). */
  pollIntervalMs?: number
  logger?: Logger
}

export interface PredictionApi {
  url: string
  service: ServingService
  close(): Promise<void>
}

export interface TomorrowAnswer {
  prediction: 'UP' | 'DOWN'
  confidence: number
  threshold: number
  model_source: 'registry' | 'uri'
  model_alias: string | null
  model_version: string | null
  /** The last day in the data: the prediction is for the trading day after it. */
  as_of: string
  model_uri: string
}

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

/** `?threshold=` as a probability in [0, 1]; 0.5 when absent. */
export function parseThreshold(q: URLSearchParams): number {
  const all = q.getAll('threshold')
  if (all.length === 0) return 0.5
  if (all.length > 1) throw bad(`Give 'threshold' once, got ${all.length} values.`)
  const raw = all[0]!
  const t = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(t))
    throw bad(`'threshold' must be a number between 0 and 1, got '${raw}'.`)
  if (t < 0 || t > 1) throw bad(`'threshold' must be between 0 and 1 (a probability of UP), got ${t}.`)
  return t
}

/** The feature row as the model's input: one column per signature entry, in its order. */
function inputFor(model: LoadedModel, row: LatestRow): ModelInput {
  const inputs = model.signature?.inputs
  if (!inputs || inputs.kind !== 'columns') {
    throw new CairnError(
      'INVALID_STATE',
      `Model version ${model.origin.version} has no column signature; the sp500 API feeds named features.`,
    )
  }
  const columns: Record<string, Float64Array> = {}
  for (const c of inputs.columns) {
    if (c.name === undefined)
      throw new CairnError(
        'INVALID_STATE',
        `Model version ${model.origin.version} has unnamed input columns.`,
      )
    const v = row.features[c.name]
    if (v === undefined) {
      throw new CairnError(
        'INVALID_STATE',
        `Model version ${model.origin.version} needs the feature '${c.name}', which this data does not give (it gives ${Object.keys(row.features).join(', ')}).`,
      )
    }
    columns[c.name] = Float64Array.of(v)
  }
  return { kind: 'columns', rows: 1, columns }
}

/** P(class 1) from the `probabilities` output, class 1 being UP (the MLmodel's `metadata.classes`). */
function probabilityOfUp(p: Prediction, model: LoadedModel): number {
  const out = p.outputs.find((o) => o.name === 'probabilities')
  if (!out || out.shape.length !== 2 || out.shape[1] !== 2) {
    throw new CairnError(
      'INVALID_STATE',
      `Model version ${model.origin.version} answers no two-class 'probabilities' output.`,
    )
  }
  const classes = model.mlmodel.metadata?.['classes']
  const up = Array.isArray(classes) ? Math.max(classes.indexOf(1), classes.indexOf('UP')) : 1
  return Number((out.data as ArrayLike<number>)[up === -1 ? 1 : up])
}

function aliasOf(uri: string): string | null {
  try {
    const parsed = parseModelUri(uri)
    return parsed.kind === 'alias' ? parsed.alias : null
  } catch {
    return null
  }
}

function answer(status: number, body: unknown): RawAnswer {
  const text = JSON.stringify(body)
  return new RawAnswer(async (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  })
}

export function tomorrowRoute(dep: Deployment, data: LatestFeatures, log: Logger): RouteDef {
  let requests = 0
  const handler = async (rc: RequestContext): Promise<unknown> => {
    try {
      const threshold = parseThreshold(rc.query)
      const row = await data.latest().catch((err: Error) => {
        throw new CairnError('TEMPORARILY_UNAVAILABLE', `No data to predict from: ${err.message}`)
      })
      const served = await dep.predict((model) => inputFor(model, row), undefined, {
        requestId: `tomorrow-${++requests}`,
        protocol: 'predict',
        started: process.hrtime.bigint(),
      })
      const pUp = probabilityOfUp(served.prediction, served.model)
      const origin = served.model.origin
      const body: TomorrowAnswer = {
        prediction: pUp >= threshold ? 'UP' : 'DOWN',
        confidence: Math.round(pUp * 1e4) / 1e4,
        threshold,
        model_source: origin.version !== null ? 'registry' : 'uri',
        model_alias: aliasOf(origin.uri),
        model_version: origin.version,
        as_of: row.date,
        model_uri: origin.uri,
      }
      return answer(200, body)
    } catch (err) {
      const e =
        err instanceof CairnError
          ? err
          : new CairnError('INTERNAL_ERROR', 'Internal error; the API log has the details.')
      if (!(err instanceof CairnError)) log.error({ err }, 'predictionForTomorrow failed')
      return answer(e.status, e.toJSON())
    }
  }
  return { methods: ['GET'], paths: ['/predictionForTomorrow'], handler }
}

export async function startPredictionApi(o: PredictionApiOptions): Promise<PredictionApi> {
  const logger = o.logger ?? silentLogger()
  const uri = o.modelUri ?? DEFAULT_MODEL_URI
  const config = {
    ...defaultServingConfig(o.home, [{ uri, labels: ['DOWN', 'UP'] }]),
    pollIntervalMs: o.pollIntervalMs ?? 2000,
  }
  const source = TrackingServerModelSource.create(o.trackingUri, new ModelCache(join(o.home, 'models')))
  const service = new ServingService(config, { source, logger })
  // Not required: with no champion yet the API answers 503 until one is promoted.
  await service.start({ requireLoaded: false })
  const data = new LatestFeatures(o.data, {
    ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
    onWarning: (m) => logger.warn(m),
  })
  const routes = [
    tomorrowRoute(service.deployments[0]!, data, logger),
    ...service.routes({ standalone: true }),
  ]
  const app = createServingApp(routes, { log: logger, maxRequestBytes: config.maxRequestBytes })
  const server: Server = createServer((req, res) => app.handle(req, res))
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject)
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolveListen())
    })
  } catch (err) {
    await service.close()
    throw err
  }
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | null = null
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    service,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()))
        server.closeAllConnections()
        await stopped
        await service.close()
      })()),
  }
}
