/**
 * A monitor's checks computed here and now, without storing a monitor or recording a run: what
 * `cairn monitor report` does, for scripts too.
 *
 * ```ts
 * const { evaluation, files } = await reportNow({
 *   monitor: { model: 'models:/sp500@champion', current: { file: 'data/2008.csv' }, checks: { drift: true } },
 *   client: new CairnClient({ trackingUri: 'http://127.0.0.1:5000' }),
 *   out: 'reports/2008',
 * })
 * evaluation.status // 'failed' when the 2008 features drifted; files.html opens offline
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CairnNetworkError, type CairnClient } from '../../client/index.js'
import { renderReportHtml } from '../report/report-html.js'
import type { MonitorReport } from '../report/report-types.js'
import { monitoringCore } from './core-adapter.js'
import { createEvaluator } from './evaluate.js'
import type { ModelInfo, MonitorEvaluation } from './evaluation.js'
import { normalizeMonitor } from './spec.js'

export interface ReportNowOptions {
  /** A monitor document; `name` defaults to "report". */
  monitor: Record<string, unknown>
  /** Resolves the model and reads its stored reference; null: files only. */
  client: CairnClient | null
  /** Folder of the served models' prediction logs (for `current: prediction_log` without `dir`). */
  predictionLogRoot?: string
  /** The window's end (default now). */
  end?: number
  /** Writes report.json and report.html into this folder. */
  out?: string
}

/** The model from the registry; when the data are files, an unreachable server is not needed. */
async function resolveModel(client: CairnClient | null, uri: string, offlineOk: boolean): Promise<ModelInfo> {
  const name = /^models:\/([^/@]+)/.exec(uri)?.[1] ?? null
  const unresolved: ModelInfo = { uri, name, version: null, runId: null, location: null }
  if (!client) return unresolved
  try {
    const r = await client.registry.resolve(uri)
    return {
      uri,
      name: r.modelVersion?.name ?? null,
      version: r.modelVersion?.version ?? null,
      runId: r.runId ?? null,
      location: r.location,
    }
  } catch (err) {
    if (!(err instanceof CairnNetworkError) || !offlineOk) throw err
    return unresolved
  }
}

export function writeReportFiles(dir: string, report: MonitorReport): { json: string; html: string } {
  mkdirSync(dir, { recursive: true })
  const files = { json: join(dir, 'report.json'), html: join(dir, 'report.html') }
  writeFileSync(files.json, JSON.stringify(report, null, 2))
  writeFileSync(files.html, renderReportHtml(report))
  return files
}

export async function reportNow(o: ReportNowOptions): Promise<{
  evaluation: MonitorEvaluation
  report: MonitorReport
  files: { json: string; html: string } | null
}> {
  const spec = normalizeMonitor({ name: 'report', ...o.monitor })
  const model = await resolveModel(o.client, spec.modelUri, spec.referenceFile !== undefined)
  const end = o.end ?? Date.now()
  const evaluate = createEvaluator({
    core: monitoringCore(() => {
      if (!o.client)
        throw new Error("reading the model version's reference profile needs a tracking server client")
      return o.client
    }),
    predictionLogRoot: o.predictionLogRoot ?? '',
  })
  const evaluation = await evaluate(spec, { model, window: { start: end - spec.windowMs, end } })
  const report: MonitorReport = {
    ...evaluation.report,
    title: o.monitor['name'] ? evaluation.report.title : `Report: ${spec.modelUri}`,
    monitor: typeof o.monitor['name'] === 'string' ? o.monitor['name'] : null,
  }
  return { evaluation, report, files: o.out ? writeReportFiles(o.out, report) : null }
}
