/**
 * Live quality: the metrics over every labelled prediction of the window (the check, against its
 * thresholds) and over sliding windows inside it (the report's series). Fewer labelled rows than
 * `min_labelled` leave quality unjudged (skipped), never passed.
 */
import type {
  QualityMetricReport,
  QualityReport,
  QualityWindowReport,
  ReportCheck,
} from '../report/report-types.js'
import type { MonitoringCore } from './evaluate.js'
import { slidingWindows, type LabelledRows } from './ground-truth.js'
import type { LogWindow } from './prediction-log-reader.js'
import { CLASSIFICATION_METRICS, type QualityOptions } from './spec.js'
import { SUMMARY } from './summary-keys.js'

/** Sliding windows per monitor window when none is configured. */
const DEFAULT_WINDOWS = 6

function subset(l: LabelledRows, rows: number[]): LabelledRows {
  return {
    ...l,
    times: rows.map((i) => l.times[i]!),
    predicted: rows.map((i) => l.predicted[i]!),
    truth: rows.map((i) => l.truth[i]!),
    scores: l.scores ? rows.map((i) => l.scores![i]!) : null,
  }
}

export function qualityReport(input: {
  spec: QualityOptions
  labelled: LabelledRows
  predictions: number
  window: LogWindow
  core: Pick<MonitoringCore, 'quality'>
}): { report: QualityReport; summary: Record<string, number>; check: ReportCheck } {
  const { spec, labelled, window, core } = input
  const metrics = spec.checks.map((c) => c.metric)
  const task = metrics.some((m) => CLASSIFICATION_METRICS.includes(m)) ? 'classification' : 'regression'
  const n = labelled.truth.length
  const summary: Record<string, number> = { [SUMMARY.labelledRows]: n }
  const opts = spec.positiveLabel !== undefined ? { positiveLabel: spec.positiveLabel } : {}
  const enough = n >= spec.minLabelled
  const values = enough ? core.quality(metrics, labelled, opts) : {}
  const rows: QualityMetricReport[] = spec.checks.map((c) => {
    const v = values[c.metric]
    const value = v?.value ?? null
    const out: QualityMetricReport = {
      metric: c.metric,
      value,
      passed:
        value === null
          ? null
          : (c.min === undefined || value >= c.min) && (c.max === undefined || value <= c.max),
      ...(c.min !== undefined ? { min: c.min } : {}),
      ...(c.max !== undefined ? { max: c.max } : {}),
    }
    if (!enough) out.explanation = `${n} labelled predictions, fewer than the ${spec.minLabelled} needed`
    else if (v?.explanation) out.explanation = v.explanation
    if (value !== null && Number.isFinite(value)) summary[SUMMARY.qualityPrefix + c.metric] = value
    return out
  })
  const size = spec.slidingWindowMs ?? Math.max(1, Math.floor((window.end - window.start) / DEFAULT_WINDOWS))
  const series: QualityWindowReport[] = slidingWindows(labelled.times, {
    start: window.start,
    end: window.end,
    sizeMs: size,
    stepMs: size,
  }).map((w) => {
    const part = subset(labelled, w.rows)
    const v = w.rows.length >= spec.minLabelled ? core.quality(metrics, part, opts) : {}
    return {
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      rows: w.rows.length,
      values: Object.fromEntries(metrics.map((m) => [m, v[m]?.value ?? null])),
    }
  })
  const failed = rows.filter((r) => r.passed === false)
  let check: ReportCheck
  if (!enough) {
    check = {
      check: 'quality',
      status: 'skipped',
      message: `${n} predictions with ground truth, fewer than the ${spec.minLabelled} needed to judge quality`,
    }
  } else if (rows.every((r) => r.value === null)) {
    check = {
      check: 'quality',
      status: 'skipped',
      message: rows.map((r) => `${r.metric}: ${r.explanation ?? 'no value'}`).join('; '),
    }
  } else {
    const describe = (r: QualityMetricReport): string =>
      `${r.metric} ${r.value === null ? 'n/a' : Number(r.value.toPrecision(4))}${r.min !== undefined ? ` (min ${r.min})` : ''}${r.max !== undefined ? ` (max ${r.max})` : ''}`
    // A bounded metric that could not be computed leaves the check unjudged unless another failed.
    const unjudged = rows.filter((r) => (r.min !== undefined || r.max !== undefined) && r.value === null)
    const shown = failed.length ? failed : unjudged.length ? unjudged : rows
    check = {
      check: 'quality',
      status: failed.length ? 'failed' : unjudged.length ? 'skipped' : 'passed',
      message: `${shown.map((r) => (r.value === null ? `${r.metric}: ${r.explanation ?? 'no value'}` : describe(r))).join(', ')} over ${n} labelled predictions`,
    }
  }
  return {
    report: { task, predictions: input.predictions, labelled: n, metrics: rows, series },
    summary,
    check,
  }
}
