/**
 * What a failing monitor does: a structured log event always; then, unless an alert acted within
 * the monitor's cool-down, it starts the configured pipeline (retraining) and calls the webhooks
 * with a payload that names that pipeline run. The cool-down is claimed in the store with a
 * compare-and-set, so a flapping monitor (or two replicas running it) cannot retrain in a loop.
 */
import type { Logger } from '../../server/logging.js'
import type { AlertOptions, PipelineTarget } from '../monitors/spec.js'
import { deliverWebhook, type DeliveryOptions, type WebhookResult } from './webhook.js'

export const MONITOR_FAILED_EVENT = 'monitor.failed'

/** What the alert says about the failed run. */
export interface FailedRun {
  monitor: string
  model: { uri: string; name: string | null; version: string | null }
  status: string
  runId: string | null
  experimentId: string | null
  window: { start: number; end: number }
  failedChecks: { check: string; message: string }[]
  metrics: Record<string, number>
}

/** Starts a pipeline for a monitor; resolves with the pipeline run's id. */
export type PipelineTrigger = (
  target: PipelineTarget,
  context: { monitor: string; runId: string | null },
) => Promise<string>

export interface AlertOutcome {
  /** `sent`: the actions ran; `suppressed`: inside the cool-down; `none`: nothing configured. */
  state: 'sent' | 'suppressed' | 'none'
  webhooks: WebhookResult[]
  pipelineRunId: string | null
  pipelineError: string | null
}

export interface AlerterDeps {
  /** The cool-down claim (MonitorStore.claimAlert). */
  claimAlert: (name: string, now: number, cooldownMs: number) => Promise<boolean>
  logger: Logger
  now: () => number
  triggerPipeline?: PipelineTrigger
  /** Where `secret_env` names are read (default process.env). */
  env?: NodeJS.ProcessEnv
  delivery?: DeliveryOptions
  /** Counts actions (Prometheus). */
  onAction?: (
    monitor: string,
    action: 'webhook' | 'pipeline' | 'suppressed',
    result: 'success' | 'failure',
  ) => void
}

export function alertPayload(
  run: FailedRun,
  pipelineRunId: string | null,
  now: number,
): Record<string, unknown> {
  return {
    event: MONITOR_FAILED_EVENT,
    time: new Date(now).toISOString(),
    monitor: run.monitor,
    model: run.model,
    status: run.status,
    run_id: run.runId,
    experiment_id: run.experimentId,
    window: { start: new Date(run.window.start).toISOString(), end: new Date(run.window.end).toISOString() },
    failed_checks: run.failedChecks,
    metrics: run.metrics,
    pipeline_run_id: pipelineRunId,
  }
}

export class Alerter {
  constructor(private readonly deps: AlerterDeps) {}

  async onFailure(run: FailedRun, alerts: AlertOptions): Promise<AlertOutcome> {
    const { logger, now } = this.deps
    const outcome: AlertOutcome = { state: 'none', webhooks: [], pipelineRunId: null, pipelineError: null }
    logger.warn(
      {
        event: MONITOR_FAILED_EVENT,
        monitor: run.monitor,
        model: run.model.uri,
        version: run.model.version,
        runId: run.runId,
        failedChecks: run.failedChecks,
      },
      `monitor ${run.monitor} failed: ${run.failedChecks.map((c) => c.message).join('; ')}`,
    )
    if (alerts.webhooks.length === 0 && !alerts.pipeline) return outcome
    const at = now()
    if (!(await this.deps.claimAlert(run.monitor, at, alerts.cooldownMs))) {
      outcome.state = 'suppressed'
      this.deps.onAction?.(run.monitor, 'suppressed', 'success')
      logger.info(
        {
          event: 'monitor.alert_suppressed',
          monitor: run.monitor,
          runId: run.runId,
          cooldownMs: alerts.cooldownMs,
        },
        `monitor ${run.monitor}: alert suppressed, an alert acted less than the cool-down ago`,
      )
      return outcome
    }
    outcome.state = 'sent'
    if (alerts.pipeline) await this.trigger(run, alerts.pipeline, outcome)
    const payload = alertPayload(run, outcome.pipelineRunId, at)
    outcome.webhooks = await Promise.all(
      alerts.webhooks.map(async (w) => {
        const secret = w.secret ?? (w.secretEnv ? (this.deps.env ?? process.env)[w.secretEnv] : undefined)
        if (w.secretEnv && secret === undefined)
          logger.warn(
            { monitor: run.monitor, url: w.url, secretEnv: w.secretEnv },
            'webhook secret variable is not set: sending unsigned',
          )
        const result = await deliverWebhook(
          {
            url: w.url,
            event: MONITOR_FAILED_EVENT,
            payload,
            headers: w.headers,
            retries: w.retries,
            ...(secret ? { secret } : {}),
          },
          this.deps.delivery,
        )
        this.deps.onAction?.(run.monitor, 'webhook', result.ok ? 'success' : 'failure')
        const fields = {
          event: 'monitor.webhook',
          monitor: run.monitor,
          url: w.url,
          attempts: result.attempts,
          status: result.status,
          deliveryId: result.deliveryId,
        }
        if (result.ok) logger.info(fields, 'monitor webhook delivered')
        else logger.error({ ...fields, error: result.error }, 'monitor webhook failed after retries')
        return result
      }),
    )
    return outcome
  }

  private async trigger(run: FailedRun, target: PipelineTarget, outcome: AlertOutcome): Promise<void> {
    const { logger } = this.deps
    if (!this.deps.triggerPipeline) {
      outcome.pipelineError = 'pipelines cannot be started from here'
      logger.error(
        { monitor: run.monitor },
        'monitor alert wants a pipeline but no pipeline trigger is available',
      )
      return
    }
    try {
      outcome.pipelineRunId = await this.deps.triggerPipeline(target, {
        monitor: run.monitor,
        runId: run.runId,
      })
      this.deps.onAction?.(run.monitor, 'pipeline', 'success')
      logger.info(
        {
          event: 'monitor.pipeline_triggered',
          monitor: run.monitor,
          pipelineRunId: outcome.pipelineRunId,
          target,
        },
        `monitor ${run.monitor} started pipeline run ${outcome.pipelineRunId}`,
      )
    } catch (err) {
      outcome.pipelineError = err instanceof Error ? err.message : String(err)
      this.deps.onAction?.(run.monitor, 'pipeline', 'failure')
      logger.error(
        { event: 'monitor.pipeline_failed', monitor: run.monitor, err, target },
        'monitor could not start its pipeline',
      )
    }
  }
}
