/**
 * Monitoring inside `cairn server`: the monitor service and routes, the scheduler, the Prometheus
 * series (registered into the registry /metrics serves) and the alerts' pipeline trigger, which
 * starts a schedule's pipeline or a pipeline file in this process, orchestrated over loopback HTTP
 * like every scheduled run.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Registry } from 'prom-client'
import { PipelinesClient } from '../../pipelines/client.js'
import { openExecutor } from '../../pipelines/executors/open-executor.js'
import type { StepExecutor } from '../../pipelines/executor.js'
import { launchPipeline } from '../../pipelines/orchestrator/orchestrator.js'
import { loadPipelineFile } from '../../pipelines/spec/load.js'
import { resolveParams } from '../../pipelines/spec/params.js'
import type { OutputValue } from '../../protocol/pipeline-entities.js'
import type { ArtifactStore } from '../../server/artifacts/artifact-store.js'
import { monitorRoutes } from '../../server/http/routes/monitors.js'
import type { RouteDef } from '../../server/http/route.js'
import type { Logger } from '../../server/logging.js'
import type { EmbeddedPipelines } from '../../server/pipelines/embedded.js'
import type { MonitorStore } from '../../server/store/monitor-store.js'
import type { ScheduleStore } from '../../server/store/pipeline-store.js'
import type { TrackingStore } from '../../server/store/tracking-store.js'
import type { Clock } from '../../server/util/clock.js'
import { Alerter, type PipelineTrigger } from '../alerts/alerter.js'
import type { DeliveryOptions } from '../alerts/webhook.js'
import { MonitorMetrics } from '../metrics/monitor-metrics.js'
import type { ResolvedModel } from '../../server/registry/resolver.js'
import { CairnClient } from '../../client/index.js'
import { monitoringCore } from './core-adapter.js'
import { createEvaluator, type MonitoringCore } from './evaluate.js'
import type { EvaluateMonitor, ModelInfo } from './evaluation.js'
import { MonitorScheduler } from './monitor-scheduler.js'
import { MonitorService } from './monitor-service.js'

export interface EmbeddedMonitoringOptions {
  monitors: MonitorStore
  tracking: TrackingStore
  artifacts: ArtifactStore
  schedules: ScheduleStore
  pipelines: EmbeddedPipelines
  clock: Clock
  logger: Logger
  /** The registry /metrics serves. */
  registry: Registry
  /** The server's model-URI resolver. */
  resolver: { resolve(uri: string): Promise<ResolvedModel> }
  /** Folder of the served models' prediction logs (`<CAIRN_HOME>/predictions`). */
  predictionLogRoot: string
  /** The statistics (default: the monitoring core, reading stored references through the API). */
  core?: MonitoringCore
  /** Replaces the whole evaluation (tests). */
  evaluate?: EvaluateMonitor
  /** Run the scheduler (default true). */
  scheduler?: boolean
  tickMs?: number
  /** Webhook delivery settings (tests shorten the backoff). */
  delivery?: DeliveryOptions
  env?: NodeJS.ProcessEnv
}

function modelInfo(r: ResolvedModel): ModelInfo {
  return {
    uri: r.uri,
    name: r.version?.name ?? null,
    version: r.version ? String(r.version.version) : null,
    runId: r.runId ?? null,
    location: r.location,
  }
}

export class EmbeddedMonitoring {
  readonly service: MonitorService
  readonly scheduler: MonitorScheduler
  readonly metrics: MonitorMetrics
  readonly instance = `server:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  private url = ''
  private readonly running = new Set<Promise<unknown>>()
  private readonly controllers = new Set<AbortController>()
  private executor: Promise<StepExecutor> | null = null
  private sdk: CairnClient | null = null

  constructor(private readonly o: EmbeddedMonitoringOptions) {
    this.metrics = new MonitorMetrics(o.registry, () => o.monitors.listMonitors())
    const alerter = new Alerter({
      claimAlert: (name, now, cooldownMs) => o.monitors.claimAlert(name, now, cooldownMs),
      logger: o.logger,
      now: () => o.clock.now(),
      triggerPipeline: this.trigger,
      onAction: (monitor, action, result) => this.metrics.actions.inc({ monitor, action, result }),
      ...(o.env ? { env: o.env } : {}),
      ...(o.delivery ? { delivery: o.delivery } : {}),
    })
    this.service = new MonitorService({
      store: o.monitors,
      tracking: o.tracking,
      artifacts: o.artifacts,
      clock: o.clock,
      logger: o.logger,
      resolveModel: async (uri) => modelInfo(await o.resolver.resolve(uri)),
      evaluate:
        o.evaluate ??
        createEvaluator({
          core: o.core ?? monitoringCore(() => this.client()),
          predictionLogRoot: o.predictionLogRoot,
        }),
      alerter,
      metrics: this.metrics,
    })
    this.scheduler = new MonitorScheduler({
      store: o.monitors,
      clock: o.clock,
      logger: o.logger,
      owner: this.instance,
      run: (m, fireTime) => this.service.run(m.name, { end: fireTime, trigger: 'schedule' }),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
    })
  }

  /** The SDK over loopback: model versions' reference profiles are read as any client reads them. */
  private client(): CairnClient {
    if (this.url === '') throw new Error('the server is not listening yet')
    this.sdk ??= new CairnClient({
      trackingUri: this.url,
      env: {},
      handleExit: false,
      user: 'cairn-monitoring',
    })
    return this.sdk
  }

  routes(): RouteDef[] {
    return monitorRoutes(this.service, this.o.clock)
  }

  /** Called once the server listens: triggered pipelines reach it at `url`. */
  start(url: string): void {
    this.url = url
    if (this.o.scheduler !== false) this.scheduler.start()
  }

  /** Starts the pipeline an alert names; resolves with its run id once recorded. */
  readonly trigger: PipelineTrigger = async (target, ctx) => {
    if (target.schedule !== undefined) {
      return this.o.pipelines.launch(await this.o.schedules.getSchedule(target.schedule), this.o.clock.now())
    }
    if (this.url === '') throw new Error('the server is not listening yet')
    const loaded = await loadPipelineFile(target.spec!)
    this.executor ??= openExecutor('local')
    const controller = new AbortController()
    const launched = await launchPipeline({
      spec: loaded.spec,
      params: resolveParams(loaded.spec, target.params as Record<string, OutputValue>),
      workdir: loaded.workdir,
      executor: await this.executor,
      client: PipelinesClient.forUri(this.url),
      signal: controller.signal,
      orchestrator: this.instance,
      source: `monitor:${ctx.monitor}`,
      tags: { 'cairn.monitor': ctx.monitor, ...(ctx.runId ? { 'cairn.monitor_run': ctx.runId } : {}) },
      onWarning: (m) => this.o.logger.warn({ monitor: ctx.monitor }, m),
    })
    this.o.pipelines.service.inProcess.set(launched.runId, controller)
    this.controllers.add(controller)
    const done = launched.done.then(
      (out) =>
        this.o.logger.info(
          { monitor: ctx.monitor, runId: out.runId, status: out.status },
          'monitor-triggered pipeline run ended',
        ),
      (err: unknown) =>
        this.o.logger.error({ err, monitor: ctx.monitor }, 'monitor-triggered pipeline run failed'),
    )
    this.running.add(done)
    void done.finally(() => {
      this.running.delete(done)
      this.controllers.delete(controller)
      this.o.pipelines.service.inProcess.delete(launched.runId)
    })
    return launched.runId
  }

  /** Stops the scheduler (waiting for monitor runs) and cancels pipelines started by alerts. */
  async stop(): Promise<void> {
    await this.scheduler.stop()
    for (const c of this.controllers) c.abort(new Error('server shutting down'))
    const grace = new Promise((r) => setTimeout(r, 10_000).unref())
    await Promise.race([Promise.allSettled([...this.running]), grace])
    await (await this.executor?.catch(() => null))?.close?.()
  }
}
