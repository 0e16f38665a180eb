/**
 * Starting and stopping `cairn server`: open the stores named by the config, mount the app,
 * listen, and on SIGINT/SIGTERM stop accepting, let in-flight requests finish, close the DB.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openArtifactStore } from './artifacts/open-artifacts.js'
import type { ServerConfig } from './config.js'
import { createApp, type App } from './http/app.js'
import { defaultUiDir, uiStaticHandler } from './http/ui-static.js'
import type { Logger } from './logging.js'
import { registryRoutes } from './http/routes/registry.js'
import type { AliasMoveHook } from './registry/promotion.js'
import { monotonicClock } from './registry/monotonic-clock.js'
import { RegistryService } from './registry/registry-service.js'
import { defaultServingConfig } from './serving/config.js'
import { ServingService, type ServingConfig } from './serving/serving-service.js'
import { ModelCache } from './serving/sources/cache.js'
import { RegistryModelSource } from './serving/sources/registry-source.js'
import { EmbeddedPipelines, type EmbeddedPipelinesOptions } from './pipelines/embedded.js'
import { EmbeddedMonitoring, type EmbeddedMonitoringOptions } from '../monitoring/monitors/embedded.js'
import { ServingMetrics } from './serving/observability/metrics.js'
import { openStores } from './store/open-store.js'
import type { TrackingStore } from './store/tracking-store.js'
import { systemClock } from './util/clock.js'
import { CAIRN_VERSION } from '../version.js'

export interface RunningServer {
  url: string
  server: Server
  app: App
  store: TrackingStore
  /** The model registry (its `notifications` tell subscribers about alias moves). */
  registry: RegistryService
  /** The models served beside the API (`--serve`); none by default. */
  serving: ServingService
  /** Pipeline runs, their routes and the embedded scheduler. */
  pipelines: EmbeddedPipelines
  /** Monitors, their routes, scheduler, alerts and /metrics series. */
  monitoring: EmbeddedMonitoring
  /** Graceful: stop accepting, wait for in-flight requests (up to the grace period), close stores. */
  close(): Promise<void>
}

export interface StartOptions {
  /** Runs after a promotion or rollback has decided, just before it moves the alias (tests). */
  beforeAliasMove?: AliasMoveHook
  /** Scheduler settings (tests inject a clock, or turn the scheduler off). */
  pipelines?: Partial<Pick<EmbeddedPipelinesOptions, 'scheduler' | 'tickMs' | 'staleAfterMs' | 'clock'>>
  /** Models to serve in process (docs/serving.md); default none, with /ping, /v2 and /metrics mounted. */
  serving?: ServingConfig
  /** Monitoring settings (tests inject a clock, a core, webhook backoff, or turn the scheduler off). */
  monitoring?: Partial<
    Pick<
      EmbeddedMonitoringOptions,
      'scheduler' | 'tickMs' | 'clock' | 'core' | 'evaluate' | 'delivery' | 'env'
    >
  >
}

export async function startServer(
  config: ServerConfig,
  logger: Logger,
  opts: StartOptions = {},
): Promise<RunningServer> {
  mkdirSync(config.home, { recursive: true })
  const stores = await openStores(config.backendStoreUri, {
    defaultArtifactRoot: config.defaultArtifactRoot,
    registryClock: monotonicClock(systemClock),
  })
  const store = stores.tracking
  const artifacts = await openArtifactStore(config.artifactsDestination, {
    maxUploadBytes: config.maxArtifactBytes,
  })
  const registry = new RegistryService({
    store: stores.registry,
    tracking: store,
    artifacts,
    logger,
    ...(opts.beforeAliasMove ? { beforeAliasMove: opts.beforeAliasMove } : {}),
  })
  // One Prometheus registry for /metrics: serving's series and monitoring's.
  const metrics = new ServingMetrics()
  const servingConfig = opts.serving ?? defaultServingConfig(config.home, [])
  const serving = new ServingService(servingConfig, {
    metrics,
    source: new RegistryModelSource({
      resolver: registry.resolver,
      artifacts,
      notifications: registry.notifications,
      cache: new ModelCache(join(config.home, 'models')),
    }),
    logger,
  })
  // A model that fails to load does not stop the server: serving answers 503 for it and keeps watching.
  await serving.start({ requireLoaded: false })
  const pipelines = new EmbeddedPipelines({
    tracking: store,
    pipelines: stores.pipelines,
    schedules: stores.schedules,
    artifacts,
    clock: systemClock,
    logger,
    ...opts.pipelines,
  })
  const monitoring = new EmbeddedMonitoring({
    monitors: stores.monitors,
    tracking: store,
    artifacts,
    schedules: stores.schedules,
    pipelines,
    clock: systemClock,
    logger,
    registry: metrics.registry,
    resolver: registry.resolver,
    predictionLogRoot: servingConfig.predictionLog.dir,
    ...opts.monitoring,
  })
  const app = createApp({
    store,
    artifacts,
    logger,
    version: CAIRN_VERSION,
    maxJsonBytes: config.maxJsonBytes,
    extraRoutes: (deps) => [
      ...registryRoutes({ ...deps, registry }),
      ...serving.routes({ standalone: false }),
      ...pipelines.routes(),
      ...monitoring.routes(),
    ],
    fallback: uiStaticHandler(defaultUiDir()),
  })
  const server = createServer({ keepAlive: true, keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) =>
    app.handle(req, res),
  )
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`
  // Scheduled runs talk to this server over loopback, even when it listens on every interface.
  const loopback = url.replace(
    /\/\/(0\.0\.0\.0|\[::\])(?=:)/,
    config.host.includes(':') ? '//[::1]' : '//127.0.0.1',
  )
  pipelines.start(loopback)
  monitoring.start(loopback)

  let closing: Promise<void> | null = null
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Scheduled runs record their cancellation through the API, so they stop before it does.
      // Monitor runs and the pipelines their alerts started record through the API too.
      await monitoring.stop()
      await pipelines.stop()
      const stopped = new Promise<void>((r) => server.close(() => r()))
      server.closeIdleConnections()
      const deadline = Date.now() + config.shutdownGraceMs
      while (app.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      server.closeAllConnections()
      await stopped
      await serving.close()
      await stores.close()
    })())

  return { url, server, app, store, registry, serving, pipelines, monitoring, close }
}
