/**
 * The monitoring report: what `cairn monitor report` writes as report.json and renders as
 * report.html, and what every monitor run stores as artifacts. Plain JSON (no NaN: a measure
 * that could not be computed is null with an explanation beside it).
 */

export type ReportStatus = 'passed' | 'failed' | 'no_data' | 'error'
export type CheckStatus = 'passed' | 'failed' | 'skipped'

export interface ReportCheck {
  check: 'drift' | 'validation' | 'quality' | 'data'
  status: CheckStatus
  message: string
}

/** Counts per bin (numeric: `edges` has one more entry than the counts) or per category. */
export type ReportHistogram =
  | { kind: 'numeric'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; categories: string[]; reference: number[]; current: number[] }

export interface ColumnDriftReport {
  column: string
  type: 'numeric' | 'categorical'
  method: string
  /** `p_value`: drift when the score is below the threshold; `distance`: when at or above it. */
  statistic: 'p_value' | 'distance'
  score: number | null
  threshold: number
  /** null: not judged (see explanation). */
  drifted: boolean | null
  explanation?: string
  histogram: ReportHistogram | null
  /** Share of missing values. */
  missing?: { reference: number; current: number }
}

export interface DriftReport {
  datasetDrift: boolean
  /** Share of judged columns that drifted. */
  share: number
  /** Dataset drift when `share` reaches this. */
  driftShare: number
  drifted: number
  judged: number
  columns: ColumnDriftReport[]
}

export interface QualityMetricReport {
  metric: string
  value: number | null
  min?: number
  max?: number
  /** null: not judged (no threshold, or no value). */
  passed: boolean | null
  explanation?: string
}

export interface QualityWindowReport {
  start: string
  end: string
  rows: number
  values: Record<string, number | null>
}

export interface QualityReport {
  task: 'classification' | 'regression'
  /** Predictions in the window, and those with ground truth. */
  predictions: number
  labelled: number
  metrics: QualityMetricReport[]
  /** Sliding windows inside the monitor's window, oldest first. */
  series: QualityWindowReport[]
}

export interface ValidationResultReport {
  expectation: string
  column: string | null
  passed: boolean
  message: string
}

export interface ValidationReport {
  passed: boolean
  failures: number
  maxFailures: number
  results: ValidationResultReport[]
}

export interface MonitorReport {
  version: 1
  title: string
  generatedAt: string
  monitor: string | null
  model: { uri: string; name: string | null; version: string | null }
  window: { start: string; end: string } | null
  current: { source: string; rows: number }
  reference: { source: string; rows: number }
  status: ReportStatus
  checks: ReportCheck[]
  drift: DriftReport | null
  quality: QualityReport | null
  validation: ValidationReport | null
  notes: string[]
}
