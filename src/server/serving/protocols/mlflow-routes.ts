/**
 * MLflow's scoring protocol (mlflow/pyfunc/scoring_server): `GET /ping` (and `/health`,
 * `/version` when standalone), `POST /invocations` with `dataframe_split`, `dataframe_records`,
 * `instances`, `inputs` (JSON) or `text/csv`, answered `{"predictions": …}`. Cairn answers
 * MLflow's plain-text, HTML and 500 answers to client mistakes with JSON 4xx errors
 * (docs/mlflow-differences.md, "Scoring server"). With several served models, `?model=<name>`
 * picks one (default: the first).
 */
import type { IncomingMessage } from 'node:http'
import { isUtf8 } from 'node:buffer'
import { CairnError } from '../../../protocol/errors.js'
import { parseJsonLenient } from '../../http/json.js'
import type { RequestContext, RouteDef } from '../../http/route.js'
import type { Deployment } from '../deployment/deployment.js'
import type { LoggedBody } from '../observability/prediction-log.js'
import {
  asCairn,
  elapsedSeconds,
  errorAnswer,
  headerRequestId,
  json,
  newRequestId,
  readRaw,
  type Headers,
} from '../http/answer.js'
import { parseCsv } from '../input/csv.js'
import { enforceSchema } from '../input/enforce.js'
import { parseScoringJson, type ScoringRequest } from '../input/payload.js'
import { scanDataframeSplit } from '../input/split-scan.js'
import type { ServingContext } from '../serving-service.js'
import { mlflowPredictionsJson } from './output-format.js'

const PROTOCOL_NOTE =
  'IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are likely using an outdated scoring request format.'

const unsupported = (message: string): CairnError => new CairnError('BAD_REQUEST', message, { status: 415 })

/**
 * `application/json` or `text/csv`, with no parameter but a UTF-8 charset. Unlike MLflow, the
 * media type is compared case-insensitively (RFC 9110) and a missing header is a 415, not a 500.
 */
export function scoringContentType(header: string | undefined): 'json' | 'csv' {
  if (header === undefined || header.trim() === '') {
    throw unsupported("The Content-Type header is missing; send 'application/json' or 'text/csv'.")
  }
  const [media = '', ...params] = header.split(';')
  const type = media.trim().toLowerCase()
  if (type !== 'application/json' && type !== 'text/csv') {
    throw unsupported(
      `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${media.trim()}'.`,
    )
  }
  for (const p of params) {
    const eq = p.indexOf('=')
    const key = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase()
    const value =
      eq === -1
        ? ''
        : p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '')
            .toLowerCase()
    if (key === '') continue
    if (key === 'charset') {
      if (value !== 'utf-8' && value !== 'utf8')
        throw unsupported(`The scoring server only supports UTF-8; got charset=${value}.`)
    } else throw unsupported(`Unrecognized content type parameters: ${key}. ${PROTOCOL_NOTE}`)
  }
  return type === 'text/csv' ? 'csv' : 'json'
}

/** A scoring request, with its body when it can go into the prediction log as sent. */
export async function readScoringRequest(
  req: IncomingMessage,
  limit: number,
): Promise<ScoringRequest & { raw?: LoggedBody }> {
  const kind = scoringContentType(req.headers['content-type'])
  const bytes = await readRaw(req, limit)
  if (kind === 'json') {
    // The common body, read without JSON.parse; it is ASCII, hence UTF-8 and strict JSON.
    const fast = scanDataframeSplit(bytes)
    if (fast) return { ...fast, raw: { kind: 'json', bytes } }
  }
  if (!isUtf8(bytes))
    throw new CairnError('BAD_REQUEST', 'Invalid input. The request body is not valid UTF-8.')
  const text = bytes.toString('utf8')
  if (kind === 'csv')
    return {
      payload: { kind: 'table', table: parseCsv(text) },
      params: undefined,
      raw: { kind: 'csv', text },
    }
  let body: unknown
  let strict = true
  try {
    try {
      body = JSON.parse(text)
    } catch {
      // Bare NaN / Infinity tokens (Python's json writes them) become strings, then missing values.
      strict = false
      body = parseJsonLenient(text)
    }
  } catch (err) {
    throw new CairnError(
      'BAD_REQUEST',
      `Invalid input. Ensure that input is a valid JSON formatted string. Error: '${(err as Error).message}'`,
    )
  }
  const parsed: ScoringRequest & { raw?: LoggedBody } = parseScoringJson(body)
  if (strict) parsed.raw = { kind: 'json', bytes }
  return parsed
}

function notServed(name: string | null): CairnError {
  return new CairnError('RESOURCE_DOES_NOT_EXIST', `No model named '${name}' is served here.`)
}

export function modelHeaders(requestId: string, version: string | null | undefined): Headers {
  return version ? { 'X-Request-Id': requestId, 'X-Model-Version': version } : { 'X-Request-Id': requestId }
}

export function mlflowRoutes(ctx: ServingContext, opts: { standalone: boolean }): RouteDef[] {
  const ping = async (): Promise<unknown> => {
    const waiting = ctx.deployments.filter((d) => !d.ready()).map((d) => d.name)
    if (waiting.length > 0) {
      const err = new CairnError(
        'TEMPORARILY_UNAVAILABLE',
        `Not ready: no version of ${waiting.join(', ')} is loaded.`,
      )
      return json(503, JSON.stringify(err.toJSON()))
    }
    // As MLflow: 200, a body of one newline, declared JSON.
    return json(200, '\n')
  }

  async function invocations(rc: RequestContext): Promise<unknown> {
    const started = process.hrtime.bigint()
    const wanted = rc.query.get('model')
    const dep: Deployment | undefined = ctx.find(wanted)
    const metrics = ctx.metrics.route(dep?.name ?? '', 'invocations')
    let requestId = headerRequestId(rc.req)
    try {
      if (!dep) throw notServed(wanted)
      const req = await readScoringRequest(rc.req, ctx.maxRequestBytes)
      requestId ??= req.requestId ?? newRequestId()
      let counted = false
      const served = await dep.predict(
        (model) => {
          const { input, dropped } = enforceSchema(req.payload, model.signature?.inputs ?? null)
          if (!counted) ctx.metrics.droppedColumns(dep.name, dropped.length)
          counted = true
          return input
        },
        req.params,
        { requestId, protocol: 'mlflow', started, body: req.raw },
      )
      const body = mlflowPredictionsJson(served.prediction)
      if (served.logged) served.logged.answer = body
      metrics.observe(200, elapsedSeconds(started))
      return json(200, body, modelHeaders(requestId, served.model.origin.version))
    } catch (err) {
      const e = asCairn(err)
      if (e.status >= 500 && e.code === 'INTERNAL_ERROR')
        rc.log.error({ err, url: rc.req.url }, 'scoring failed')
      metrics.observe(e.status, elapsedSeconds(started))
      return errorAnswer(rc.req, e, 'mlflow', { 'X-Request-Id': requestId ?? newRequestId() })
    }
  }

  const routes: RouteDef[] = [
    { methods: ['GET'], paths: ['/ping'], handler: ping },
    { methods: ['POST'], paths: ['/invocations'], handler: invocations },
  ]
  if (opts.standalone) {
    routes.push(
      { methods: ['GET'], paths: ['/health'], handler: ping },
      // As MLflow: the bare version, declared JSON.
      { methods: ['GET'], paths: ['/version'], handler: async () => json(200, ctx.version) },
    )
  }
  return routes
}
