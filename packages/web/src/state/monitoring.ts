/**
 * What the monitoring pages show, computed from the monitors API and a monitor run's report.json
 * (src/monitoring/report/report-types.ts). Pure, so component tests cover it without a server.
 */
import type { WireMonitor } from '../../../../src/protocol/monitors-api.js'
import type { WireMetric, WireRun } from '../../../../src/protocol/wire.js'
import type {
  ColumnDriftReport,
  MonitorReport,
  ReportHistogram,
} from '../../../../src/monitoring/report/report-types.js'

export interface MonitorRow {
  name: string
  model: string
  schedule: string
  window: string
  state: 'active' | 'paused'
  /** passed | failed | no_data | error, or '' before the first run. */
  status: string
  lastRunTime: number | null
  lastRunId: string | null
  nextRunTime: number | null
  driftShare: number | null
  columnsDrifted: number | null
  validationFailures: number | null
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function scheduleText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v !== 'object' || v === null) return ''
  const s = v as Record<string, unknown>
  const tz = str(s['timezone'])
  return str(s['cron']) + (tz && tz !== 'UTC' ? ` (${tz})` : '')
}

/** The monitor document is stored as given (snake_case); read its few display fields defensively. */
export function monitorRow(m: WireMonitor): MonitorRow {
  const doc = m.monitor
  const s = m.last_run?.summary ?? {}
  const num = (k: string): number | null => (typeof s[k] === 'number' ? s[k] : null)
  return {
    name: m.name,
    model: str(doc['model_uri']) || str(doc['model']),
    schedule: scheduleText(doc['schedule']),
    window: str(doc['window']),
    state: m.paused ? 'paused' : 'active',
    status: m.last_run?.status ?? '',
    lastRunTime: m.last_run?.time ?? null,
    lastRunId: m.last_run?.run_id ?? null,
    nextRunTime: m.next_run_time ?? null,
    driftShare: num('drift.share'),
    columnsDrifted: num('drift.columns_drifted'),
    validationFailures: num('validation.failures'),
  }
}

/** Drifted columns first, then not-judged ones (they need a look), then the rest; by name inside. */
export function orderColumns(columns: ColumnDriftReport[]): ColumnDriftReport[] {
  const rank = (c: ColumnDriftReport): number => (c.drifted === true ? 0 : c.drifted === null ? 1 : 2)
  return [...columns].sort((a, b) => rank(a) - rank(b) || a.column.localeCompare(b.column))
}

export interface HistogramBar {
  label: string
  reference: number
  current: number
}

/** Counts as shares of each side's total, so samples of different sizes compare. */
export function histogramBars(h: ReportHistogram): HistogramBar[] {
  const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const rt = total(h.reference)
  const ct = total(h.current)
  const share = (n: number | undefined, t: number): number => (t > 0 && n !== undefined ? n / t : 0)
  if (h.kind === 'categorical') {
    return h.categories.map((label, i) => ({
      label,
      reference: share(h.reference[i], rt),
      current: share(h.current[i], ct),
    }))
  }
  return h.reference.map((_, i) => ({
    label: `${compact(h.edges[i])} – ${compact(h.edges[i + 1])}`,
    reference: share(h.reference[i], rt),
    current: share(h.current[i], ct),
  }))
}

function compact(v: number | undefined): string {
  if (v === undefined) return ''
  if (v === 0 || (Math.abs(v) >= 0.001 && Math.abs(v) < 1e5)) return String(Number(v.toPrecision(3)))
  return v.toExponential(2)
}

/** "p 0.012 < 0.05" or "distance 0.31 ≥ 0.1": the score against its threshold, as judged. */
export function scoreText(c: ColumnDriftReport): string {
  if (c.score === null) return 'not computed'
  const s = compact(c.score)
  if (c.statistic === 'p_value') return `p ${s} ${c.score < c.threshold ? '<' : '≥'} ${compact(c.threshold)}`
  return `${s} ${c.score >= c.threshold ? '≥' : '<'} ${compact(c.threshold)}`
}

export function verdictText(c: ColumnDriftReport): string {
  return c.drifted === true ? 'drift' : c.drifted === false ? 'no drift' : 'not judged'
}

/** The report's headline, e.g. "Dataset drift: 3 of 5 columns (60 %, threshold 50 %)". */
export function driftHeadline(r: MonitorReport): string {
  const d = r.drift
  if (!d) return 'No drift check in this report'
  const pct = (x: number): string => `${Math.round(x * 100)} %`
  return `${d.datasetDrift ? 'Dataset drift' : 'No dataset drift'}: ${d.drifted} of ${d.judged} columns (${pct(d.share)}, threshold ${pct(d.driftShare)})`
}

export interface SeriesPoint {
  time: number
  value: number
  runId: string
}

/** One metric across monitor runs, oldest first (runs without it are left out). */
export function metricSeries(runs: WireRun[], key: string): SeriesPoint[] {
  const points: SeriesPoint[] = []
  for (const r of runs) {
    const m = r.data.metrics?.find((x: WireMetric) => x.key === key)
    if (m && typeof m.value === 'number')
      points.push({ time: r.info.start_time, value: m.value, runId: r.info.run_id })
  }
  return points.sort((a, b) => a.time - b.time)
}

/** The filter that finds a monitor's runs in the runs table. */
export function monitorRunsFilter(name: string): string {
  return `tags."cairn.monitor" = '${name.replace(/'/g, "\\'")}'`
}
