/**
 * Cairn's plain routes: `POST /predict` with one row of named features, answering the label,
 * its confidence, the threshold used and which model answered; and `POST /feedback`, attaching
 * ground truth to an earlier request id in the feedback log. Errors are `{"error_code",
 * "message"}` as on the scoring routes.
 */
import { isUtf8 } from 'node:buffer'
import { CairnError } from '../../../protocol/errors.js'
import { parseJsonLenient } from '../../http/json.js'
import type { RequestContext, RouteDef } from '../../http/route.js'
import type { Deployment } from '../deployment/deployment.js'
import {
  asCairn,
  elapsedSeconds,
  errorAnswer,
  headerRequestId,
  json,
  newRequestId,
  readRaw,
} from '../http/answer.js'
import { enforceSchema, featuresPayload } from '../input/enforce.js'
import { isRecord } from '../input/payload.js'
import type { ServingContext } from '../serving-service.js'
import { decide } from './decision.js'
import { modelHeaders } from './mlflow-routes.js'

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

async function readJsonObject(rc: RequestContext, limit: number): Promise<Record<string, unknown>> {
  const type = rc.req.headers['content-type']
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new CairnError(
      'BAD_REQUEST',
      `Send a JSON object with Content-Type application/json${type ? `, not '${type}'` : ''}.`,
      { status: 415 },
    )
  }
  const bytes = await readRaw(rc.req, limit)
  if (!isUtf8(bytes)) throw new CairnError('BAD_REQUEST', 'The request body is not valid UTF-8.')
  let body: unknown
  try {
    body = parseJsonLenient(bytes.toString('utf8'))
  } catch (err) {
    throw new CairnError('BAD_REQUEST', `Malformed JSON in the request body: ${(err as Error).message}`)
  }
  if (!isRecord(body)) throw bad('The request body must be a JSON object.')
  return body
}

/** `?threshold=` as a probability in [0, 1] (any number for regressors). */
function queryThreshold(q: URLSearchParams): number | undefined {
  const raw = q.get('threshold')
  if (raw === null) return undefined
  const t = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(t)) throw bad(`'threshold' must be a number, got '${raw}'.`)
  return t
}

/** What `/predict` answers, camelCase (the route writes it snake_case). */
export interface PredictAnswer {
  prediction: unknown
  confidence: number | null
  threshold: number | null
  /** Regressors: the model's value. */
  value?: number
  modelUri: string
  modelVersion: string | null
  requestId: string
}

/**
 * One row of named features through a deployment (the canary's share, the shadow copy and the
 * prediction log included), decided into a label as `/predict` does.
 */
export async function predictFeatures(
  ctx: Pick<ServingContext, 'metrics'>,
  dep: Deployment,
  features: unknown,
  opts: { requestId: string; threshold?: number; started?: bigint },
): Promise<PredictAnswer> {
  const payload = featuresPayload(features)
  let counted = false
  const served = await dep.predict(
    (model) => {
      const { input, dropped } = enforceSchema(payload, model.signature?.inputs ?? null)
      if (!counted) ctx.metrics.droppedColumns(dep.name, dropped.length)
      counted = true
      return input
    },
    undefined,
    { requestId: opts.requestId, protocol: 'predict', started: opts.started ?? process.hrtime.bigint() },
  )
  const d = decide(served.prediction, served.model.mlmodel, {
    ...(dep.config.labels ? { labels: dep.config.labels } : {}),
    ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    ...(dep.config.threshold !== undefined ? { defaultThreshold: dep.config.threshold } : {}),
  })
  return {
    prediction: d.prediction,
    confidence: d.confidence,
    threshold: d.threshold,
    ...(d.value !== undefined ? { value: d.value } : {}),
    modelUri: served.model.origin.uri,
    modelVersion: served.model.origin.version,
    requestId: opts.requestId,
  }
}

export function predictRoutes(ctx: ServingContext): RouteDef[] {
  async function predict(rc: RequestContext): Promise<unknown> {
    const started = process.hrtime.bigint()
    const dep = ctx.find(rc.query.get('model'))
    const metrics = ctx.metrics.route(dep?.name ?? '', 'predict')
    let requestId = headerRequestId(rc.req)
    try {
      if (!dep)
        throw new CairnError(
          'RESOURCE_DOES_NOT_EXIST',
          `No model named '${rc.query.get('model')}' is served here.`,
        )
      const threshold = queryThreshold(rc.query)
      const body = await readJsonObject(rc, ctx.maxRequestBytes)
      const id = body['request_id']
      if (id !== undefined && (typeof id !== 'string' || id === ''))
        throw bad("'request_id' must be a non-empty string.")
      requestId ??= id ?? newRequestId()
      const wrapped = 'features' in body
      const features = wrapped
        ? body['features']
        : Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'request_id'))
      const a = await predictFeatures(ctx, dep, features, {
        requestId,
        started,
        ...(threshold !== undefined ? { threshold } : {}),
      })
      const answer = JSON.stringify({
        prediction: a.prediction,
        confidence: a.confidence,
        threshold: a.threshold,
        ...(a.value !== undefined ? { value: a.value } : {}),
        model_uri: a.modelUri,
        model_version: a.modelVersion,
        request_id: requestId,
      })
      metrics.observe(200, elapsedSeconds(started))
      return json(200, answer, modelHeaders(requestId, a.modelVersion))
    } catch (err) {
      const e = asCairn(err)
      if (e.code === 'INTERNAL_ERROR') rc.log.error({ err, url: rc.req.url }, 'predict failed')
      metrics.observe(e.status, elapsedSeconds(started))
      return errorAnswer(rc.req, e, 'mlflow', { 'X-Request-Id': requestId ?? newRequestId() })
    }
  }

  async function feedback(rc: RequestContext): Promise<unknown> {
    try {
      const body = await readJsonObject(rc, ctx.maxRequestBytes)
      const requestId = body['request_id']
      if (typeof requestId !== 'string' || requestId === '')
        throw bad("'request_id' must be the id of an earlier request (a non-empty string).")
      if (!('ground_truth' in body))
        throw bad("'ground_truth' is required (any JSON value: the true label or value).")
      const model = typeof body['model'] === 'string' ? body['model'] : rc.query.get('model')
      const dep = ctx.find(model)
      if (!dep) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `No model named '${model}' is served here.`)
      const log = ctx.logs.get(dep.name)
      if (!log)
        throw new CairnError(
          'INVALID_STATE',
          'The prediction log is off (--no-prediction-log): feedback has nowhere to go.',
        )
      log.recordFeedback({ ts: Date.now(), requestId, model: dep.name, groundTruth: body['ground_truth'] })
      return json(200, JSON.stringify({ request_id: requestId, model: dep.name }))
    } catch (err) {
      return errorAnswer(rc.req, asCairn(err), 'mlflow')
    }
  }

  return [
    { methods: ['POST'], paths: ['/predict'], handler: predict },
    { methods: ['POST'], paths: ['/feedback'], handler: feedback },
  ]
}
