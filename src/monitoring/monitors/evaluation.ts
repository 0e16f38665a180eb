/** What one evaluation of a monitor produced, before it is recorded. */
import type { MonitorReport, ReportCheck, ReportStatus } from '../report/report-types.js'
import type { LogWindow } from './prediction-log-reader.js'
import type { MonitorSpec } from './spec.js'

/** The model a monitor watches, resolved at run time. */
export interface ModelInfo {
  uri: string
  /** The registered model's name (models:/ URIs). */
  name: string | null
  version: string | null
  runId: string | null
  /** Where the model's files are. */
  location: string | null
}

export interface MonitorEvaluation {
  status: ReportStatus
  /** One line: why it passed or failed. */
  message: string
  checks: ReportCheck[]
  /** Measures by summary key (summary-keys.ts): the run's metrics and the /metrics gauges. */
  summary: Record<string, number>
  report: MonitorReport
}

export type EvaluateMonitor = (
  spec: MonitorSpec,
  ctx: { model: ModelInfo; window: LogWindow },
) => Promise<MonitorEvaluation>

/** A one-line message for checks that failed, or that all passed. */
export function verdictMessage(status: ReportStatus, checks: ReportCheck[]): string {
  const failed = checks.filter((c) => c.status === 'failed')
  if (failed.length > 0) return failed.map((c) => `${c.check}: ${c.message}`).join('; ')
  if (status === 'no_data') return checks.find((c) => c.check === 'data')?.message ?? 'no data in the window'
  return checks.length ? checks.map((c) => `${c.check}: ${c.message}`).join('; ') : 'no checks ran'
}

/** An evaluation that could not run (the model or data could not be read). */
export function errorEvaluation(
  spec: MonitorSpec,
  model: ModelInfo,
  window: LogWindow,
  message: string,
): MonitorEvaluation {
  const checks: ReportCheck[] = [{ check: 'data', status: 'failed', message }]
  return {
    status: 'error',
    message,
    checks,
    summary: {},
    report: {
      version: 1,
      title: `Monitor ${spec.name}`,
      generatedAt: new Date(window.end).toISOString(),
      monitor: spec.name,
      model: { uri: model.uri, name: model.name, version: model.version },
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      current: { source: '', rows: 0 },
      reference: { source: '', rows: 0 },
      status: 'error',
      checks,
      drift: null,
      quality: null,
      validation: null,
      notes: [message],
    },
  }
}
