/**
 * Pipelines inside `cairn server`: the routes, the PipelineService, the embedded scheduler and the
 * runs it starts. Scheduled runs are orchestrated in this process and talk to the server over
 * HTTP like any orchestrator (loopback), so they are recorded exactly as CLI runs are.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { PipelinesClient } from '../../pipelines/client.js'
import { openExecutor } from '../../pipelines/executors/open-executor.js'
import type { StepExecutor } from '../../pipelines/executor.js'
import { launchPipeline } from '../../pipelines/orchestrator/orchestrator.js'
import { resolveParams } from '../../pipelines/spec/params.js'
import { revalidateSpec } from '../../pipelines/spec/raw.js'
import type { ScheduleRecord } from '../../protocol/pipeline-entities.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import type { RouteDef } from '../http/route.js'
import { pipelineRoutes } from '../http/routes/pipelines.js'
import { scheduleRoutes } from '../http/routes/schedules.js'
import type { Logger } from '../logging.js'
import { Scheduler } from '../schedule/scheduler.js'
import type { PipelineStore, ScheduleStore } from '../store/pipeline-store.js'
import type { TrackingStore } from '../store/tracking-store.js'
import type { Clock } from '../util/clock.js'
import { PipelineService } from './pipeline-service.js'

export interface EmbeddedPipelinesOptions {
  tracking: TrackingStore
  pipelines: PipelineStore
  schedules: ScheduleStore
  artifacts: ArtifactStore
  clock: Clock
  logger: Logger
  /** Run the scheduler (default true). */
  scheduler?: boolean
  /** Between scheduler ticks (default 1 s). */
  tickMs?: number
  staleAfterMs?: number
  /** How long stopping waits for scheduled runs to record their cancellation (default 10 s). */
  stopGraceMs?: number
}

export class EmbeddedPipelines {
  readonly service: PipelineService
  readonly scheduler: Scheduler
  readonly instance = `server:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  private url = ''
  private readonly running = new Set<Promise<unknown>>()
  private readonly executors = new Map<string, Promise<StepExecutor>>()

  constructor(private readonly o: EmbeddedPipelinesOptions) {
    this.service = new PipelineService({
      tracking: o.tracking,
      pipelines: o.pipelines,
      artifacts: o.artifacts,
      clock: o.clock,
      logger: o.logger,
      ...(o.staleAfterMs !== undefined ? { staleAfterMs: o.staleAfterMs } : {}),
    })
    this.scheduler = new Scheduler({
      schedules: o.schedules,
      pipelines: o.pipelines,
      clock: o.clock,
      logger: o.logger,
      owner: this.instance,
      launch: (s, t) => this.launch(s, t),
      onTick: () => this.service.sweepLost(),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
    })
  }

  routes(): RouteDef[] {
    return [
      ...pipelineRoutes(this.service),
      ...scheduleRoutes({
        schedules: this.o.schedules,
        clock: this.o.clock,
        trigger: async (name) => this.launch(await this.o.schedules.getSchedule(name), this.o.clock.now()),
      }),
    ]
  }

  /** Called once the server listens: scheduled runs reach it at `url`. */
  start(url: string): void {
    this.url = url
    if (this.o.scheduler !== false) this.scheduler.start()
  }

  private executor(backend: string): Promise<StepExecutor> {
    let e = this.executors.get(backend)
    if (!e) {
      e = openExecutor(backend)
      e.catch(() => this.executors.delete(backend))
      this.executors.set(backend, e)
    }
    return e
  }

  /** Starts a scheduled (or triggered) run in this process; resolves with its run id. */
  async launch(s: ScheduleRecord, fireTime: number): Promise<string> {
    if (this.url === '') throw new Error('the server is not listening yet')
    const spec = revalidateSpec(s.spec)
    const controller = new AbortController()
    const launched = await launchPipeline({
      spec,
      params: resolveParams(spec, s.params),
      workdir: s.workdir,
      executor: await this.executor(s.backend),
      client: PipelinesClient.forUri(this.url),
      signal: controller.signal,
      ...(s.experimentName ? { experimentName: s.experimentName } : {}),
      scheduleName: s.name,
      scheduledTime: fireTime,
      orchestrator: this.instance,
      source: `schedule:${s.name}`,
      onWarning: (m) => this.o.logger.warn({ schedule: s.name }, m),
    })
    this.service.inProcess.set(launched.runId, controller)
    const done = launched.done.then(
      (out) =>
        this.o.logger.info(
          { schedule: s.name, runId: out.runId, status: out.status },
          'scheduled pipeline run ended',
        ),
      (err: unknown) => this.o.logger.error({ err, schedule: s.name }, 'scheduled pipeline run failed'),
    )
    this.running.add(done)
    void done.finally(() => {
      this.running.delete(done)
      this.service.inProcess.delete(launched.runId)
    })
    return launched.runId
  }

  /** Stops the scheduler, cancels scheduled runs and waits for them to record it. */
  async stop(): Promise<void> {
    await this.scheduler.stop()
    for (const c of this.service.inProcess.values()) c.abort(new Error('server shutting down'))
    const grace = new Promise((r) => setTimeout(r, this.o.stopGraceMs ?? 10_000).unref())
    await Promise.race([Promise.allSettled([...this.running]), grace])
    for (const e of this.executors.values()) await (await e.catch(() => null))?.close?.()
  }
}
