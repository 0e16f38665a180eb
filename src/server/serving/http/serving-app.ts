/**
 * The HTTP app of `cairn serve`: the serving routes on the shared Router, with the answers
 * cairn server's app gives for everything else (JSON 404 for unknown paths, JSON 405 with an
 * Allow header, Flask's empty 200 for OPTIONS). Serving handlers answer their own errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CairnError } from '../../../protocol/errors.js'
import { RawAnswer, type Handler, type RequestContext, type RouteDef } from '../../http/route.js'
import { Router, type RouteMethod } from '../../http/router.js'
import type { Logger } from '../../logging.js'
import { asCairn, write, writtenHeader } from './answer.js'

export interface ServingApp {
  handle(req: IncomingMessage, res: ServerResponse): void
  inFlight(): number
}

function sendError(res: ServerResponse, err: CairnError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(err)
    return
  }
  write(res, err.status, JSON.stringify(err.toJSON()), { 'Content-Type': 'application/json', ...headers })
}

export function createServingApp(
  routes: RouteDef[],
  opts: { log: Logger; maxRequestBytes: number },
): ServingApp {
  const router = new Router<Handler>()
  for (const r of routes) {
    for (const path of r.paths) {
      for (const m of r.methods) {
        if (r.prefix) router.addPrefix(m as RouteMethod, path, r.handler)
        else router.add(m as RouteMethod, path, r.handler)
      }
    }
  }
  let active = 0

  async function run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    const q = target.indexOf('?')
    const path = q === -1 ? target : target.slice(0, q)
    const match = router.match(method, path)
    if (match.kind === 'none') {
      sendError(
        res,
        new CairnError(
          'ENDPOINT_NOT_FOUND',
          `No endpoint ${method} ${path}. See docs/serving.md for the routes.`,
        ),
      )
      return
    }
    if (match.kind === 'method') {
      const allow = [...new Set([...match.allowed, 'OPTIONS'])].join(', ')
      if (method === 'OPTIONS') {
        res.writeHead(200, { Allow: allow, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 0 })
        res.end()
        return
      }
      sendError(
        res,
        new CairnError(
          'ENDPOINT_NOT_FOUND',
          `Method ${method} is not allowed for ${path}; allowed: ${allow}.`,
          { status: 405 },
        ),
        { Allow: allow },
      )
      return
    }
    const rawQuery = q === -1 ? '' : target.slice(q + 1)
    const ctx: RequestContext = {
      req,
      res,
      method,
      path,
      query: new URLSearchParams(rawQuery),
      rawQuery,
      rest: match.rest,
      log: opts.log,
      maxJsonBytes: opts.maxRequestBytes,
    }
    const answer = await match.handler(ctx)
    if (answer instanceof RawAnswer) await answer.write(res)
    else write(res, 200, JSON.stringify(answer ?? {}), { 'Content-Type': 'application/json' })
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    active++
    const started = process.hrtime.bigint()
    res.once('close', () => {
      active--
      // One JSON line per request at debug level (off by default: it would cost throughput).
      if (opts.log.isLevelEnabled('debug')) {
        opts.log.debug(
          {
            method: req.method,
            url: req.url,
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            requestId: writtenHeader(res, 'X-Request-Id'),
            modelVersion: writtenHeader(res, 'X-Model-Version'),
          },
          'request',
        )
      }
    })
    run(req, res).catch((err: unknown) => {
      opts.log.error({ err, method: req.method, url: req.url }, 'unexpected error')
      sendError(res, asCairn(err))
    })
  }

  return { handle, inFlight: () => active }
}
