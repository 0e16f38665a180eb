/**
 * The HTTP application: routes from every capability on one router, one place that turns
 * errors into answers. `createApp` takes everything it needs; nothing is read from the
 * environment here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CairnError } from '../../protocol/errors.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import type { Logger } from '../logging.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { systemClock, randomIds, type Clock, type IdGenerator } from '../util/clock.js'
import { RawAnswer, type Handler, type RequestContext, type RouteDef } from './route.js'
import { Router, type RouteMethod } from './router.js'
import { artifactRoutes } from './routes/artifacts.js'
import { experimentRoutes } from './routes/experiments.js'
import { healthRoutes } from './routes/health.js'
import { metricRoutes } from './routes/metrics.js'
import { metricDownsampleRoutes } from './routes/metrics-downsample.js'
import { runRoutes } from './routes/runs.js'
import type { RouteDeps } from './routes/deps.js'

export interface AppOptions {
  store: TrackingStore
  artifacts: ArtifactStore
  logger: Logger
  version: string
  clock?: Clock
  ids?: IdGenerator
  /** Largest JSON request body accepted, in bytes. */
  maxJsonBytes?: number
  /** Extra route groups (registry, serving, ...) mounted beside the tracking API. */
  extraRoutes?: (deps: RouteDeps) => RouteDef[]
  /** Answers GET/HEAD for paths no route matched outside the API prefixes (the web UI). */
  fallback?: Handler
}

/** Unknown paths under these stay JSON 404s, whatever the fallback. */
const API_PATH = /^\/(api|ajax-api)\//

export interface App {
  handle(req: IncomingMessage, res: ServerResponse): void
  router: Router<Handler>
  deps: RouteDeps
  /** Requests being handled now; graceful shutdown waits for them. */
  inFlight(): number
}

export const DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

export function sendError(res: ServerResponse, err: CairnError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(err)
    return
  }
  sendJson(res, err.status, err.toJSON(), headers)
}

export function createApp(opts: AppOptions): App {
  const deps: RouteDeps = {
    store: opts.store,
    artifacts: opts.artifacts,
    clock: opts.clock ?? systemClock,
    ids: opts.ids ?? randomIds,
    version: opts.version,
  }
  const router = new Router<Handler>()
  const groups = [
    healthRoutes,
    experimentRoutes,
    runRoutes,
    metricRoutes,
    metricDownsampleRoutes,
    artifactRoutes,
  ]
  for (const group of groups) mount(router, group(deps))
  if (opts.extraRoutes) mount(router, opts.extraRoutes(deps))

  const log = opts.logger
  const maxJsonBytes = opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES
  let active = 0

  async function run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    // Only odd request targets (absolute-form, '*') need the full URL parser.
    const path = rawPath(target) ?? new URL(target, 'http://cairn.invalid').pathname
    const match = router.match(method, path)
    const fallback =
      match.kind === 'none' && (method === 'GET' || method === 'HEAD') && !API_PATH.test(path)
        ? opts.fallback
        : undefined
    if (match.kind === 'none' && !fallback) {
      throw new CairnError(
        'ENDPOINT_NOT_FOUND',
        `No endpoint ${method} ${path}. See docs/api.md for the route table.`,
      )
    }
    if (match.kind === 'method') {
      const allow = [...new Set<RouteMethod | 'OPTIONS'>([...match.allowed, 'OPTIONS'])].join(', ')
      if (method === 'OPTIONS') {
        // As MLflow (Flask) answers OPTIONS: 200, an empty text/html body and the Allow header.
        res.writeHead(200, { Allow: allow, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 0 })
        res.end()
        return
      }
      throw Object.assign(
        new CairnError(
          'ENDPOINT_NOT_FOUND',
          `Method ${method} is not allowed for ${path}; allowed: ${allow}.`,
          {
            status: 405,
          },
        ),
        { allow },
      )
    }
    const q = target.indexOf('?')
    const rawQuery = q === -1 ? '' : target.slice(q + 1).replace(/#.*$/, '')
    const query = new URLSearchParams(rawQuery)
    const ctx: RequestContext = {
      req,
      res,
      method,
      path,
      query,
      rawQuery,
      rest: match.kind === 'found' ? match.rest : '',
      log,
      maxJsonBytes,
    }
    const answer = await (match.kind === 'found' ? match.handler : fallback!)(ctx)
    if (answer instanceof RawAnswer) await answer.write(res)
    else sendJson(res, 200, answer ?? {})
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    active++
    const started = process.hrtime.bigint()
    res.once('close', () => {
      active--
      if (log.isLevelEnabled('debug')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        log.debug({ method: req.method, url: req.url, status: res.statusCode, ms }, 'request')
      }
    })
    run(req, res).catch((err: unknown) => {
      if (err instanceof CairnError) {
        const allow = (err as CairnError & { allow?: string }).allow
        if (err.status >= 500) log.error({ err, url: req.url }, 'request failed')
        if (err.status === 413) {
          sendError(res, err, { Connection: 'close' })
          drainThenClose(req)
          return
        }
        sendError(res, err, allow ? { Allow: allow } : {})
        return
      }
      log.error({ err, method: req.method, url: req.url }, 'unexpected error')
      sendError(res, new CairnError('INTERNAL_ERROR', 'Internal error; the server log has the details.'))
    })
  }

  return { handle, router, deps, inFlight: () => active }
}

/** Bytes of an over-limit body read (and dropped) so the client can see the 413 before the socket closes. */
const DRAIN_LIMIT = 1024 * 1024

/** After a 413: discard what is still coming, up to DRAIN_LIMIT, then close the connection. */
function drainThenClose(req: IncomingMessage): void {
  let drained = 0
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > DRAIN_LIMIT) req.socket.destroy()
  })
  req.resume()
}

/**
 * The path as the client sent it. URL parsing resolves '..' and '%2e%2e' segments, which would
 * route a traversal attempt somewhere else (or to a 404) instead of to the artifact routes that
 * refuse it with 400, as MLflow does.
 */
function rawPath(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/')) return null
  const end = target.search(/[?#]/)
  return end === -1 ? target : target.slice(0, end)
}

function mount(router: Router<Handler>, routes: RouteDef[]): void {
  for (const r of routes) {
    for (const path of r.paths) {
      for (const m of r.methods) {
        if (r.prefix) router.addPrefix(m as RouteMethod, path, r.handler)
        else router.add(m as RouteMethod, path, r.handler)
      }
    }
  }
}
