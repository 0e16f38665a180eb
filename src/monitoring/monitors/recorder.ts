/**
 * A monitor run as a tracking run: experiment `cairn-monitoring`, tags `cairn.run_kind=monitor`,
 * `cairn.monitor`, `cairn.monitor_status`, the model's URI and version, params (window, checks),
 * every summary measure as a metric, and the report as artifacts `report/report.json` and
 * `report/report.html`. Searchable and chartable like any run:
 * `tags."cairn.monitor" = 'churn' and metrics."drift.share" > 0.3`.
 */
import { Readable } from 'node:stream'
import { CairnError } from '../../protocol/errors.js'
import { MLFLOW_TAGS } from '../../protocol/entities.js'
import type { ArtifactStore } from '../../server/artifacts/artifact-store.js'
import { artifactsForRun } from '../../server/artifacts/open-artifacts.js'
import type { Logger } from '../../server/logging.js'
import type { TrackingStore } from '../../server/store/tracking-store.js'
import { renderReportHtml } from '../report/report-html.js'
import type { MonitorEvaluation, ModelInfo } from './evaluation.js'
import type { LogWindow } from './prediction-log-reader.js'
import { formatWindow } from './spec-document.js'
import type { MonitorSpec } from './spec.js'

export const MONITORING_EXPERIMENT = 'cairn-monitoring'

export const MONITOR_TAGS = {
  kind: 'cairn.run_kind',
  monitor: 'cairn.monitor',
  status: 'cairn.monitor_status',
  modelUri: 'cairn.model_uri',
  modelName: 'cairn.model_name',
  modelVersion: 'cairn.model_version',
  windowStart: 'cairn.window_start',
  windowEnd: 'cairn.window_end',
  trigger: 'cairn.monitor_trigger',
  alert: 'cairn.alert',
  alertPipelineRun: 'cairn.alert_pipeline_run',
} as const

export interface RecorderDeps {
  tracking: TrackingStore
  artifacts: ArtifactStore
  logger: Logger
}

export interface RecordInput {
  spec: MonitorSpec
  model: ModelInfo
  window: LogWindow
  evaluation: MonitorEvaluation
  /** `schedule` or `manual`. */
  trigger: string
  startTime: number
  endTime: number
}

async function experimentId(tracking: TrackingStore): Promise<string> {
  const found = await tracking.getExperimentByName(MONITORING_EXPERIMENT)
  if (found && found.lifecycleStage === 'active') return found.experimentId
  if (found) {
    throw new CairnError(
      'INVALID_STATE',
      `Experiment '${MONITORING_EXPERIMENT}' is deleted; restore it so monitor runs can be recorded.`,
    )
  }
  try {
    return await tracking.createExperiment({ name: MONITORING_EXPERIMENT, tags: [] })
  } catch (err) {
    const again = await tracking.getExperimentByName(MONITORING_EXPERIMENT)
    if (again) return again.experimentId
    throw err
  }
}

const iso = (t: number): string => new Date(t).toISOString()

/** Creates the run, logs everything and ends it; resolves with its ids. */
export async function recordMonitorRun(
  deps: RecorderDeps,
  input: RecordInput,
): Promise<{ runId: string; experimentId: string }> {
  const { tracking } = deps
  const { spec, model, window, evaluation } = input
  const expId = await experimentId(tracking)
  const tags: Record<string, string | null> = {
    [MLFLOW_TAGS.sourceType]: 'JOB',
    [MLFLOW_TAGS.source]: `monitor:${spec.name}`,
    [MONITOR_TAGS.kind]: 'monitor',
    [MONITOR_TAGS.monitor]: spec.name,
    [MONITOR_TAGS.status]: evaluation.status,
    [MONITOR_TAGS.modelUri]: model.uri,
    [MONITOR_TAGS.modelName]: model.name,
    [MONITOR_TAGS.modelVersion]: model.version,
    [MONITOR_TAGS.windowStart]: iso(window.start),
    [MONITOR_TAGS.windowEnd]: iso(window.end),
    [MONITOR_TAGS.trigger]: input.trigger,
  }
  const run = await tracking.createRun({
    experimentId: expId,
    userId: '',
    runName: `${spec.name}-${iso(window.end).slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`,
    startTime: input.startTime,
    tags: Object.entries(tags).flatMap(([key, v]) => (v === null || v === '' ? [] : [{ key, value: v }])),
  })
  const runId = run.info.runId
  const params = [
    { key: 'window', value: formatWindow(spec.windowMs) },
    { key: 'checks', value: (['drift', 'validation', 'quality'] as const).filter((c) => spec[c]).join(',') },
    { key: 'current', value: spec.current.kind === 'file' ? spec.current.path : 'prediction-log' },
    ...(spec.drift ? [{ key: 'drift_share', value: String(spec.drift.driftShare) }] : []),
  ]
  const metrics = Object.entries(evaluation.summary)
    .filter(([, v]) => Number.isFinite(v))
    .map(([key, value]) => ({ key, value, timestamp: window.end, step: 0 }))
  // logBatch takes at most 1000 metrics per call (MLflow's limit).
  for (let i = 0; i < Math.max(1, metrics.length); i += 1000) {
    await tracking.logBatch(runId, {
      metrics: metrics.slice(i, i + 1000),
      params: i === 0 ? params : [],
      tags: [],
    })
  }
  try {
    const { store, base } = await artifactsForRun(run.info.artifactUri, deps.artifacts)
    const put = (path: string, text: string) =>
      store.upload(base ? `${base}/${path}` : path, Readable.from([Buffer.from(text)]))
    await put('report/report.json', JSON.stringify(evaluation.report, null, 2))
    await put('report/report.html', renderReportHtml(evaluation.report))
  } catch (err) {
    deps.logger.warn({ err, runId, monitor: spec.name }, 'could not store the monitor report artifacts')
  }
  await tracking.updateRun(runId, {
    status: evaluation.status === 'error' ? 'FAILED' : 'FINISHED',
    endTime: input.endTime,
  })
  return { runId, experimentId: expId }
}
