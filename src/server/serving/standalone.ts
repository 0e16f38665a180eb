/**
 * `cairn serve`: the serving engine alone in its own process (one model, small footprint, for a
 * container of its own), reading models through a tracking server's HTTP API. Graceful stop:
 * stop accepting, let in-flight requests finish, write out the prediction log, free the models.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../logging.js'
import type { ServeConfig } from './config.js'
import { createServingApp } from './http/serving-app.js'
import { ServingService } from './serving-service.js'
import { ModelCache } from './sources/cache.js'
import { TrackingServerModelSource } from './sources/http-source.js'
import type { ModelSource } from './sources/model-source.js'
import { authHeaders } from '../../client/config.js'

export interface RunningServe {
  url: string
  server: Server
  service: ServingService
  close(): Promise<void>
}

export interface ServeOptions {
  /** Another model source (tests). Default: the tracking server at `config.trackingUri`. */
  source?: ModelSource
}

export async function startServe(
  config: ServeConfig,
  logger: Logger,
  opts: ServeOptions = {},
): Promise<RunningServe> {
  const source =
    opts.source ??
    TrackingServerModelSource.create(config.trackingUri, new ModelCache(config.cacheDir), authHeaders())
  const service = new ServingService(config.serving, { source, logger })
  await service.start({ requireLoaded: true })
  const app = createServingApp(service.routes({ standalone: true }), {
    log: logger,
    maxRequestBytes: config.serving.maxRequestBytes,
  })
  const server = createServer({ keepAlive: true, keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) =>
    app.handle(req, res),
  )
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => {
        server.off('error', reject)
        resolveListen()
      })
    })
  } catch (err) {
    await service.close()
    throw err
  }
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`

  let closing: Promise<void> | null = null
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((r) => server.close(() => r()))
      server.closeIdleConnections()
      const deadline = Date.now() + config.shutdownGraceMs
      while (app.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      server.closeAllConnections()
      await stopped
      await service.close()
    })())

  return { url, server, service, close }
}
