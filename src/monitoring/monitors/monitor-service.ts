/**
 * Monitors inside `cairn server`: define, list, pause, delete, and run — now (the run route, the
 * CLI) or at cron times (MonitorScheduler). A run resolves the model, evaluates the checks over the
 * window ending now, records a tracking run with the report, keeps the summary for /metrics and,
 * when a check failed, hands the failure to the alerter (log event, pipeline, webhooks).
 */
import type { Logger } from '../../server/logging.js'
import { validateCron } from '../../server/schedule/cron.js'
import type { MonitorRecord, MonitorStore } from '../../server/store/monitor-store.js'
import type { Clock } from '../../server/util/clock.js'
import type { AlertOutcome, Alerter } from '../alerts/alerter.js'
import type { MonitorMetrics } from '../metrics/monitor-metrics.js'
import {
  errorEvaluation,
  type EvaluateMonitor,
  type ModelInfo,
  type MonitorEvaluation,
} from './evaluation.js'
import { MONITOR_TAGS, recordMonitorRun, type RecorderDeps } from './recorder.js'
import { monitorToRaw } from './spec-document.js'
import { normalizeMonitor, type MonitorSpec } from './spec.js'

export interface MonitorServiceDeps extends RecorderDeps {
  store: MonitorStore
  clock: Clock
  logger: Logger
  resolveModel: (uri: string) => Promise<ModelInfo>
  evaluate: EvaluateMonitor
  alerter: Alerter
  metrics?: MonitorMetrics
}

export interface MonitorRunResult {
  monitor: string
  runId: string
  experimentId: string
  status: MonitorEvaluation['status']
  message: string
  evaluation: MonitorEvaluation
  alert: AlertOutcome | null
}

/** A model URI that could not be resolved still names what it can. */
function unresolved(uri: string): ModelInfo {
  const m = /^models:\/([^/@]+)/.exec(uri)
  return { uri, name: m?.[1] ?? null, version: null, runId: null, location: null }
}

export class MonitorService {
  constructor(private readonly deps: MonitorServiceDeps) {}

  /** Validates and stores a monitor document; answers with the stored record. */
  async create(raw: Record<string, unknown>): Promise<MonitorRecord> {
    const spec = normalizeMonitor(raw)
    if (spec.schedule) validateCron(spec.schedule.cron, spec.schedule.timezone)
    return this.deps.store.createMonitor({
      name: spec.name,
      spec: monitorToRaw(spec),
      now: this.deps.clock.now(),
    })
  }

  list(): Promise<MonitorRecord[]> {
    return this.deps.store.listMonitors()
  }

  get(name: string): Promise<MonitorRecord> {
    return this.deps.store.getMonitor(name)
  }

  setPaused(name: string, paused: boolean): Promise<MonitorRecord> {
    return this.deps.store.setPaused(name, paused, this.deps.clock.now())
  }

  delete(name: string): Promise<void> {
    return this.deps.store.deleteMonitor(name)
  }

  /** Runs a stored monitor with its window ending at `end` (default now). */
  async run(name: string, opts: { end?: number; trigger?: string } = {}): Promise<MonitorRunResult> {
    const record = await this.deps.store.getMonitor(name)
    return this.runSpec(normalizeMonitor(record.spec), opts)
  }

  async runSpec(spec: MonitorSpec, opts: { end?: number; trigger?: string } = {}): Promise<MonitorRunResult> {
    const { clock, logger } = this.deps
    const startTime = clock.now()
    const end = opts.end ?? startTime
    const window = { start: end - spec.windowMs, end }
    let model = unresolved(spec.modelUri)
    let evaluation: MonitorEvaluation
    try {
      model = await this.deps.resolveModel(spec.modelUri)
      evaluation = await this.deps.evaluate(spec, { model, window })
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      logger.error({ err, monitor: spec.name }, 'monitor evaluation failed')
      evaluation = errorEvaluation(spec, model, window, message)
    }
    const recorded = await recordMonitorRun(this.deps, {
      spec,
      model,
      window,
      evaluation,
      trigger: opts.trigger ?? 'manual',
      startTime,
      endTime: clock.now(),
    })
    await this.deps.store.recordRun(spec.name, {
      runId: recorded.runId,
      status: evaluation.status,
      time: clock.now(),
      summary: Object.fromEntries(Object.entries(evaluation.summary).filter(([, v]) => Number.isFinite(v))),
    })
    this.deps.metrics?.runs.inc({ monitor: spec.name, status: evaluation.status })
    logger.info(
      { event: 'monitor.run', monitor: spec.name, runId: recorded.runId, status: evaluation.status },
      `monitor ${spec.name}: ${evaluation.status} (${evaluation.message})`,
    )
    let alert: AlertOutcome | null = null
    if (evaluation.status === 'failed') {
      alert = await this.deps.alerter.onFailure(
        {
          monitor: spec.name,
          model: { uri: model.uri, name: model.name, version: model.version },
          status: evaluation.status,
          runId: recorded.runId,
          experimentId: recorded.experimentId,
          window,
          failedChecks: evaluation.checks
            .filter((c) => c.status === 'failed')
            .map((c) => ({ check: c.check, message: c.message })),
          metrics: evaluation.summary,
        },
        spec.alerts,
      )
      await this.tagAlert(recorded.runId, alert)
    }
    return {
      monitor: spec.name,
      ...recorded,
      status: evaluation.status,
      message: evaluation.message,
      evaluation,
      alert,
    }
  }

  private async tagAlert(runId: string, alert: AlertOutcome): Promise<void> {
    if (alert.state === 'none') return
    const tags: { key: string; value: string }[] = [{ key: MONITOR_TAGS.alert, value: alert.state }]
    if (alert.pipelineRunId) tags.push({ key: MONITOR_TAGS.alertPipelineRun, value: alert.pipelineRunId })
    try {
      await this.deps.tracking.logBatch(runId, { metrics: [], params: [], tags })
    } catch (err) {
      this.deps.logger.warn({ err, runId }, 'could not tag the monitor run with its alert')
    }
  }
}
