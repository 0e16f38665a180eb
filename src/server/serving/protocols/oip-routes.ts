/**
 * The Open Inference Protocol v2 REST endpoints (KServe, Triton, MLServer): health, server and
 * model metadata, readiness and inference, under `/v2`. Errors are `{"error": "..."}` with a
 * 4xx (5xx only for Cairn's own failures). Model metadata carries one extra field, `cairn`:
 * the URIs served for the name and the state of each (version, last swap, last load error).
 */
import { isUtf8 } from 'node:buffer'
import { CairnError, notFound } from '../../../protocol/errors.js'
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
import type { ServingContext } from '../serving-service.js'
import { oipInput, oipOutputs, parseInferRequest } from './oip-codec.js'

type Action = 'metadata' | 'ready' | 'infer'

interface Target {
  name: string
  version?: string
  action: Action
}

/** `{name}[/versions/{v}][/ready|/infer]` (a name may itself contain '/'). */
export function parseModelPath(rest: string): Target {
  let path = rest
  let action: Action = 'metadata'
  for (const a of ['ready', 'infer'] as const) {
    if (path.endsWith(`/${a}`)) {
      action = a
      path = path.slice(0, -a.length - 1)
      break
    }
  }
  let version: string | undefined
  const v = path.lastIndexOf('/versions/')
  if (v !== -1) {
    version = decodeURIComponent(path.slice(v + '/versions/'.length))
    path = path.slice(0, v)
  }
  return { name: decodeURIComponent(path), ...(version !== undefined ? { version } : {}), action }
}

const ALLOW: Record<Action, string> = { metadata: 'GET, HEAD', ready: 'GET, HEAD', infer: 'POST' }

export function oipRoutes(ctx: ServingContext): RouteDef[] {
  const ok = (body: unknown): unknown => json(200, JSON.stringify(body))

  function metadata(dep: Deployment, version: string | undefined): unknown {
    const model = dep.modelFor(version)
    if (!model) {
      if (version !== undefined)
        throw notFound(`Version ${version} of model '${dep.name}' is not being served.`)
      throw new CairnError('TEMPORARILY_UNAVAILABLE', `Model '${dep.name}' is not loaded yet.`)
    }
    return ok({
      name: dep.name,
      versions: version !== undefined ? [version] : dep.versions(),
      platform: model.flavor === 'onnx' ? 'onnxruntime_onnx' : 'cairn_js',
      inputs: model.inputs,
      outputs: model.outputs,
      cairn: {
        status: dep.status().map((s) => ({
          uri: s.uri,
          role: s.role,
          state: s.state,
          version: s.version,
          ...(s.lastSwap
            ? {
                last_swap: {
                  at: new Date(s.lastSwap.at).toISOString(),
                  from: s.lastSwap.from,
                  to: s.lastSwap.to,
                },
              }
            : {}),
          ...(s.lastError
            ? {
                last_error: {
                  at: new Date(s.lastError.at).toISOString(),
                  version: s.lastError.version,
                  message: s.lastError.message,
                },
              }
            : {}),
        })),
      },
    })
  }

  async function infer(rc: RequestContext, dep: Deployment, version: string | undefined): Promise<unknown> {
    const started = process.hrtime.bigint()
    const metrics = ctx.metrics.route(dep.name, 'v2-infer')
    let requestId = headerRequestId(rc.req)
    try {
      const type = rc.req.headers['content-type']
      if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
        throw new CairnError(
          'BAD_REQUEST',
          `Send the inference request as application/json, not '${type}'.`,
          { status: 415 },
        )
      }
      const bytes = await readRaw(rc.req, ctx.maxRequestBytes)
      if (!isUtf8(bytes)) throw new CairnError('BAD_REQUEST', 'The request body is not valid UTF-8.')
      let body: unknown
      try {
        body = JSON.parse(bytes.toString('utf8'))
      } catch (err) {
        throw new CairnError('BAD_REQUEST', `Malformed JSON in the request body: ${(err as Error).message}`)
      }
      const req = parseInferRequest(body)
      requestId ??= req.id ?? newRequestId()
      let counted = false
      const served = await dep.predict(
        (model) => {
          const { input, dropped } = oipInput(req, model.signature?.inputs ?? null)
          if (!counted) ctx.metrics.droppedColumns(dep.name, dropped.length)
          counted = true
          return input
        },
        undefined,
        { requestId, protocol: 'oip', started, ...(version !== undefined ? { version } : {}) },
      )
      const answer = JSON.stringify({
        model_name: dep.name,
        ...(served.model.origin.version ? { model_version: served.model.origin.version } : {}),
        ...(req.id !== undefined ? { id: req.id } : {}),
        parameters: {},
        outputs: oipOutputs(served.prediction, req.outputs),
      })
      metrics.observe(200, elapsedSeconds(started))
      return json(200, answer, { 'X-Request-Id': requestId })
    } catch (err) {
      const e = asCairn(err)
      if (e.code === 'INTERNAL_ERROR') rc.log.error({ err, url: rc.req.url }, 'inference failed')
      metrics.observe(e.status, elapsedSeconds(started))
      return errorAnswer(rc.req, e, 'oip', { 'X-Request-Id': requestId ?? newRequestId() })
    }
  }

  async function models(rc: RequestContext): Promise<unknown> {
    try {
      const target = parseModelPath(rc.rest)
      const isPost = rc.method === 'POST'
      if (isPost !== (target.action === 'infer')) {
        const err = new CairnError(
          'ENDPOINT_NOT_FOUND',
          `Method ${rc.method} is not allowed here; allowed: ${ALLOW[target.action]}.`,
          { status: 405 },
        )
        return errorAnswer(rc.req, err, 'oip', { Allow: ALLOW[target.action] })
      }
      const dep = ctx.deployments.find((d) => d.name === target.name)
      if (!dep)
        throw notFound(
          `Model '${target.name}' is not served here (served: ${ctx.deployments.map((d) => d.name).join(', ') || 'none'}).`,
        )
      if (target.action === 'infer') return await infer(rc, dep, target.version)
      if (target.action === 'ready') {
        const ready = target.version === undefined ? dep.ready() : dep.versions().includes(target.version)
        return json(ready ? 200 : 503, JSON.stringify({ name: dep.name, ready }))
      }
      return metadata(dep, target.version)
    } catch (err) {
      return errorAnswer(rc.req, asCairn(err), 'oip')
    }
  }

  return [
    { methods: ['GET'], paths: ['/v2/health/live'], handler: async () => ok({ live: true }) },
    {
      methods: ['GET'],
      paths: ['/v2/health/ready'],
      handler: async () => {
        const ready = ctx.deployments.every((d) => d.ready())
        return json(ready ? 200 : 503, JSON.stringify({ ready }))
      },
    },
    {
      methods: ['GET'],
      paths: ['/v2'],
      handler: async () => ok({ name: 'cairn', version: ctx.version, extensions: [] }),
    },
    {
      methods: ['GET'],
      paths: ['/v2/models'],
      handler: async () =>
        ok({
          models: ctx.deployments.map((d) => ({ name: d.name, versions: d.versions(), ready: d.ready() })),
        }),
    },
    { methods: ['GET', 'POST'], paths: ['/v2/models/'], prefix: true, handler: models },
  ]
}
